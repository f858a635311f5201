import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectInstalledAgentPublishes } from '../helpers/installed-agent';

// The offline install package (scripts/package-edge.ts, firmware-configs/pi/package-install.sh;
// docs/deployment.md "Install package").
const run = promisify(execFile);
const repo = join(import.meta.dirname, '../../..');
const version = (
  JSON.parse(readFileSync(join(repo, 'edge-agent/package.json'), 'utf8')) as { version: string }
).version;
const archive = (a: string) => join(repo, 'dist', `takt-edge-${version}-${a}.tar.gz`);
/** An architecture this machine is not. */
const other = arch() === 'arm64' ? 'x64' : 'arm64';
const demoConfig = join(repo, 'firmware-configs/demo-gateway.yaml');

async function unpack(a: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'takt-edge-unpack-'));
  await run('tar', ['-C', dir, '-xzf', archive(a)]);
  return join(dir, `takt-edge-${version}-${a}`);
}

async function installFails(script: string, args: string[]): Promise<string> {
  try {
    await run(script, args, { timeout: 60_000 });
  } catch (error) {
    return (error as { stderr: string }).stderr;
  }
  throw new Error(`${script} succeeded`);
}

describe('npm run package:edge', () => {
  beforeAll(async () => {
    await run('npm', ['run', 'package:edge'], { cwd: repo, timeout: 540_000 });
  }, 600_000);

  it('writes dist/takt-edge-<version>-<arch>.tar.gz for arm64, armv7 and x64', () => {
    for (const a of ['arm64', 'armv7', 'x64']) expect(existsSync(archive(a)), a).toBe(true);
  });

  it("holds only that architecture's serialport prebuilds and no development tools", async () => {
    const { stdout } = await run('tar', ['-tzf', archive('arm64')], { maxBuffer: 64 << 20 });
    const names = stdout.split('\n');
    const prebuilds = new Set(
      names
        .map((n) => /\/@serialport\/bindings-cpp\/prebuilds\/([^/]+)\//.exec(n)?.[1])
        .filter(Boolean),
    );
    expect([...prebuilds]).toEqual(['linux-arm64']);
    const top = `takt-edge-${version}-arm64/`;
    for (const file of [
      'install.sh',
      'common.sh',
      'manifest.json',
      'takt-edge.service',
      'edge-agent/dist/edge-agent.mjs',
      'edge-agent/dist/validate-configs.mjs',
      'node_modules/mqtt/package.json',
      'node_modules/serialport/package.json',
      'node_modules/node-opcua/package.json',
    ])
      expect(names, file).toContain(top + file);
    for (const dev of ['tsx', 'vitest', 'esbuild', 'typescript', '@takt/protocol'])
      expect(
        names.some((n) => n.startsWith(`${top}node_modules/${dev}/`)),
        dev,
      ).toBe(false);
    expect(
      names.some(
        (n) => n.includes('/src/') && n.endsWith('.ts') && n.startsWith(`${top}edge-agent/`),
      ),
    ).toBe(false);
  });

  it('installs the x64 package with --root and runs the agent from it with no repository node_modules', async () => {
    const pkg = await unpack('x64');
    const manifest = JSON.parse(readFileSync(join(pkg, 'manifest.json'), 'utf8')) as {
      version: string;
      arch: string;
      files: Record<string, string>;
    };
    expect(manifest).toMatchObject({ version, arch: 'x64' });
    expect(Object.keys(manifest.files)).toContain('edge-agent/dist/edge-agent.mjs');
    expect(manifest.files['install.sh']).toMatch(/^[0-9a-f]{64}$/);

    const root = mkdtempSync(join(tmpdir(), 'takt-edge-root-'));
    const { stdout } = await run(join(pkg, 'install.sh'), ['--root', root, demoConfig], {
      timeout: 120_000,
    });
    expect(stdout).toContain('1 valid, 0 invalid');
    const base = join(root, 'opt/takt-edge');
    expect(readlinkSync(join(base, 'current'))).toBe(version);
    expect(
      existsSync(join(base, version, 'node_modules/@serialport/bindings-cpp/prebuilds/linux-x64')),
    ).toBe(true);
    expect(readFileSync(join(root, 'etc/takt/gateway.yaml'), 'utf8')).toContain('gw-demo-1');
    const unit = readFileSync(join(root, 'etc/systemd/system/takt-edge.service'), 'utf8');
    expect(unit).toContain(
      `ExecStart=${process.execPath} --max-old-space-size=128 --max-semi-space-size=2 /opt/takt-edge/current/edge-agent/dist/edge-agent.mjs`,
    );
    expect(unit).toContain('WorkingDirectory=/opt/takt-edge/current');

    // Installing again without a config (an upgrade) keeps the installed one.
    const again = await run(join(pkg, 'install.sh'), ['--root', root], { timeout: 120_000 });
    expect(again.stdout).toContain(`checking ${join(root, 'etc/takt/gateway.yaml')}`);
    expect(readFileSync(join(root, 'etc/takt/gateway.yaml'), 'utf8')).toContain('gw-demo-1');
    expect(readlinkSync(join(base, 'current'))).toBe(version);

    // Run from the installed tree, outside the repository: nothing of it is resolvable.
    const cwd = mkdtempSync(join(tmpdir(), 'takt-edge-cwd-'));
    expect(cwd.startsWith(repo)).toBe(false);
    expect(base.startsWith(repo)).toBe(false);
    await expectInstalledAgentPublishes({
      bundle: join(base, 'current/edge-agent/dist/edge-agent.mjs'),
      configDir: join(root, 'etc/takt'),
      stateDir: join(root, 'var/lib/takt'),
      cwd,
    });
  }, 180_000);

  it("refuses a package for another architecture, naming this machine's package", async () => {
    const pkg = await unpack(other);
    const root = mkdtempSync(join(tmpdir(), 'takt-edge-root-'));
    const stderr = await installFails(join(pkg, 'install.sh'), ['--root', root, demoConfig]);
    expect(stderr).toMatch(new RegExp(`this package is for ${other} .* but this machine is `));
    expect(stderr).toContain(
      `use takt-edge-${version}-${arch() === 'arm64' ? 'arm64' : 'x64'}.tar.gz`,
    );
    expect(existsSync(join(root, 'opt'))).toBe(false);
  });

  it('refuses a changed file and an invalid config before installing anything', async () => {
    const pkg = await unpack('x64');
    const root = mkdtempSync(join(tmpdir(), 'takt-edge-root-'));
    const bad = join(root, 'bad.yaml');
    writeFileSync(bad, 'gateway: { id: gw, site: s }\n');
    expect(await installFails(join(pkg, 'install.sh'), ['--root', root, bad])).toContain(
      'fix the config first',
    );
    const bundle = join(pkg, 'edge-agent/dist/edge-agent.mjs');
    writeFileSync(bundle, readFileSync(bundle, 'utf8') + '\n// changed\n');
    const stderr = await installFails(join(pkg, 'install.sh'), ['--root', root, demoConfig]);
    expect(stderr).toContain('edge-agent/dist/edge-agent.mjs');
    expect(stderr).toContain('differ from manifest.json');
    expect(existsSync(join(root, 'opt'))).toBe(false);
  });
});
