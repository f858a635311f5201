import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requirePeer } from '@takt/sim';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectInstalledAgentPublishes } from '../helpers/installed-agent';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '../../..');
const root = mkdtempSync(join(tmpdir(), 'takt-pi-'));
const unit = join(root, 'etc/systemd/system/takt-edge.service');
/** The checkout install.sh copies from: this repository as an ordinary user's clone (uid 1000). */
const checkout = mkdtempSync(join(tmpdir(), 'takt-pi-src-'));
const CHECKOUT_UID = 1000;

/** Every path under `dir` (not following links), with its lstat. */
function walk(dir: string): { path: string; uid: number; mode: number }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => {
    const st = lstatSync(join(dir, name));
    return { path: name, uid: st.uid, mode: st.mode };
  });
}

/** `systemd-analyze security --offline=true`: the overall exposure it prints, and the table. */
async function exposure(file: string): Promise<{ level: number; output: string }> {
  requirePeer('systemd-analyze');
  const { stdout } = await run('systemd-analyze', ['security', '--offline=true', file]);
  const match = /Overall exposure level for \S+: (\d+\.\d)/.exec(stdout);
  if (!match) throw new Error(`no overall exposure in:\n${stdout}`);
  return { level: Number(match[1]), output: stdout };
}

/** systemd-analyze verify: exit code and what it printed. */
async function verify(file: string): Promise<{ code: number; output: string }> {
  requirePeer('systemd-analyze');
  try {
    const { stdout, stderr } = await run('systemd-analyze', ['verify', file]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe('Raspberry Pi install script and systemd unit', () => {
  beforeAll(async () => {
    // A clone owned by an ordinary user, with a group-writable file, as a Pi's checkout is;
    // node_modules only for install.sh's config check (it is not copied).
    execFileSync('tar', [
      '-C',
      repo,
      '--exclude=node_modules',
      '--exclude=./dist',
      '--exclude=./.takt',
      '--exclude=./.git',
      '-cf',
      `${checkout}.tar`,
      '.',
    ]);
    execFileSync('tar', ['-C', checkout, '-xf', `${checkout}.tar`]);
    symlinkSync(join(repo, 'node_modules'), join(checkout, 'node_modules'));
    chmodSync(join(checkout, 'edge-agent/src/main.ts'), 0o666);
    if (process.getuid?.() === 0)
      execFileSync('chown', ['-hR', `${CHECKOUT_UID}:${CHECKOUT_UID}`, checkout]);
    await run(
      join(checkout, 'firmware-configs/pi/install.sh'),
      ['--root', root, join(repo, 'firmware-configs/demo-gateway.yaml')],
      {
        timeout: 120_000,
      },
    );
  }, 150_000);

  it('installs the agent with its runtime packages, the config and an empty secrets file', () => {
    expect(existsSync(join(root, 'opt/takt/edge-agent/dist/edge-agent.mjs'))).toBe(true);
    expect(existsSync(join(root, 'opt/takt/node_modules/mqtt/package.json'))).toBe(true);
    expect(existsSync(join(root, 'opt/takt/node_modules/tsx/package.json'))).toBe(true);
    expect(existsSync(join(root, 'opt/takt/node_modules/vitest'))).toBe(false); // no dev tools on a Pi
    expect(readFileSync(join(root, 'etc/takt/gateway.yaml'), 'utf8')).toContain('gw-demo-1');
    expect(statSync(join(root, 'etc/takt/edge.env')).mode & 0o777).toBe(0o600);
  });

  it("installs code owned by root that nobody else can change, not the checkout owner's", () => {
    if (process.getuid?.() !== 0)
      throw new Error('this test needs root: it installs from a checkout owned by uid 1000');
    const files = walk(join(root, 'opt/takt'));
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => f.uid !== 0).map((f) => f.path)).toEqual([]);
    // Group- or world-writable (links excepted: their mode means nothing).
    const writable = files.filter((f) => (f.mode & 0o170000) !== 0o120000 && f.mode & 0o022);
    expect(writable.map((f) => f.path)).toEqual([]);
    expect(statSync(join(root, 'opt/takt/edge-agent/src/main.ts')).mode & 0o777).toBe(0o644);
  });

  it('renders a sandboxed unit that systemd-analyze security rates 4.0 or less', async () => {
    const { level, output } = await exposure(unit);
    expect(level, output).toBeLessThanOrEqual(4.0);
    const text = readFileSync(unit, 'utf8');
    for (const line of [
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/takt',
      'CapabilityBoundingSet=',
      'SystemCallFilter=@system-service',
      'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
      'DevicePolicy=closed',
      'DeviceAllow=char-ttyUSB rw',
      'UMask=0077',
    ]) {
      expect(text).toContain(line);
    }
    // The check itself tells a bare unit from a sandboxed one.
    const bare = join(root, 'bare.service');
    writeFileSync(
      bare,
      text
        .split('\n')
        .filter((l) => !/^(Protect|Restrict|SystemCall|Capability|Device|Private|UMask)/.test(l))
        .join('\n'),
    );
    expect((await exposure(bare)).level).toBeGreaterThan(4.0);
  });

  it('renders a unit that runs as the unprivileged user with serial access, restarts and reloads', () => {
    const text = readFileSync(unit, 'utf8');
    expect(text).not.toMatch(/@NODE@|@PREFIX@/);
    expect(text).toContain(
      `ExecStart=${process.execPath} --max-old-space-size=128 --max-semi-space-size=2 /opt/takt/edge-agent/dist/edge-agent.mjs`,
    );
    for (const line of [
      'User=takt',
      'SupplementaryGroups=dialout',
      'Restart=on-failure',
      'ExecReload=/bin/kill -HUP $MAINPID',
      'Environment=TAKT_STATE_DIR=/var/lib/takt',
    ]) {
      expect(text).toContain(line);
    }
  });

  it('passes systemd-analyze verify, which does catch a broken unit', async () => {
    const good = await verify(unit);
    expect(good.output).toBe('');
    expect(good.code).toBe(0);
    const broken = join(root, 'broken.service');
    writeFileSync(
      broken,
      readFileSync(unit, 'utf8')
        .replace('Restart=on-failure', 'Restart=sometimes')
        .replace(/^Type=simple$/m, 'Type=bogus'),
    );
    const bad = await verify(broken);
    expect(bad.output).toMatch(/Failed to parse|Invalid/i);
  });

  it('runs the installed bundle with plain node (no TypeScript loader) and publishes', async () => {
    await expectInstalledAgentPublishes({
      bundle: join(root, 'opt/takt/edge-agent/dist/edge-agent.mjs'),
      configDir: join(root, 'etc/takt'),
      stateDir: join(root, 'var/lib/takt'),
    });
  });

  it('refuses an invalid gateway config before installing anything', async () => {
    const badConfig = join(root, 'bad.yaml');
    writeFileSync(badConfig, 'gateway: { id: gw, site: s }\n');
    const other = mkdtempSync(join(tmpdir(), 'takt-pi-bad-'));
    await expect(
      run(join(repo, 'firmware-configs/pi/install.sh'), ['--root', other, badConfig]),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('fix the config first'),
    });
    expect(existsSync(join(other, 'opt/takt'))).toBe(false);
  });
});
