import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startBroker } from '@takt/broker';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { requirePeer } from '@takt/sim';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '../../..');
const root = mkdtempSync(join(tmpdir(), 'takt-pi-'));
const unit = join(root, 'etc/systemd/system/takt-edge.service');

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
    await run(
      join(repo, 'firmware-configs/pi/install.sh'),
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
    const broker = await startBroker({
      host: '127.0.0.1',
      port: 0,
      users: [],
      allowAnonymous: true,
      log: pino({ level: 'silent' }),
    });
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const sub = await mqtt.connectAsync(url);
    await sub.subscribeAsync('takt/v1/#');
    const config = join(root, 'etc/takt/sim.yaml');
    writeFileSync(
      config,
      [
        'gateway: { id: gw-pi, site: s }',
        `mqtt: { url: "${url}" }`,
        'devices:',
        '  - { id: d, driver: simulated, machine: m1, pollIntervalMs: 200, tags: [{ name: x, channel: metric, signal: { kind: constant, value: 7 } }] }',
        '',
      ].join('\n'),
    );
    const agent = spawn(
      process.execPath,
      [join(root, 'opt/takt/edge-agent/dist/edge-agent.mjs'), config],
      {
        env: { PATH: process.env.PATH, TAKT_STATE_DIR: join(root, 'var/lib/takt') },
        stdio: 'ignore',
      },
    );
    try {
      const payload = await new Promise<string>((resolve) =>
        sub.on('message', (topic, p) => topic.endsWith('/m1/metrics') && resolve(p.toString())),
      );
      expect(JSON.parse(payload).readings[0]).toMatchObject({
        tag: 'x',
        value: 7,
        quality: 'good',
      });
      expect(existsSync(join(root, 'var/lib/takt/gw-pi/seq.json'))).toBe(true);
    } finally {
      agent.kill('SIGTERM');
      await sub.endAsync();
      await broker.stop();
    }
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
