import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBroker } from '@takt/broker';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { expect } from 'vitest';

/**
 * Starts an installed agent bundle (`<installed>/edge-agent/dist/edge-agent.mjs`) with plain
 * node against a fresh broker and a simulated-driver gateway config, waits for its first
 * metrics message and checks the reading and its sequence file in `stateDir`. `cwd` is where
 * the agent runs; the environment holds only PATH and TAKT_STATE_DIR (no NODE_PATH).
 * Shared by pi-install.test.ts and edge-package.test.ts.
 */
export async function expectInstalledAgentPublishes(opts: {
  bundle: string;
  configDir: string;
  stateDir: string;
  cwd?: string;
}): Promise<void> {
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
  const config = join(opts.configDir, 'sim.yaml');
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
  let output = '';
  const agent = spawn(process.execPath, [opts.bundle, config], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH, TAKT_STATE_DIR: opts.stateDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  agent.stdout.on('data', (d: Buffer) => (output += d.toString()));
  agent.stderr.on('data', (d: Buffer) => (output += d.toString()));
  try {
    const payload = await new Promise<string>((resolve, reject) => {
      sub.on('message', (topic, p) => topic.endsWith('/m1/metrics') && resolve(p.toString()));
      agent.on('exit', (code) => reject(new Error(`the agent exited (${code}):\n${output}`)));
    });
    expect(JSON.parse(payload).readings[0]).toMatchObject({
      tag: 'x',
      value: 7,
      quality: 'good',
    });
    expect(existsSync(join(opts.stateDir, 'gw-pi/seq.json'))).toBe(true);
  } finally {
    agent.kill('SIGTERM');
    await sub.endAsync();
    await broker.stop();
  }
}
