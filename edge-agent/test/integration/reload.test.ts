import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const main = join(import.meta.dirname, '../../src/main.ts');
let broker: RunningBroker;
let sub: MqttClient;
const seen: {
  topic: string;
  body: {
    readings?: { tag: string; value: unknown }[];
    seq?: number;
    status?: string;
    heartbeatMs?: number;
  };
}[] = [];

beforeAll(async () => {
  broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    users: [],
    allowAnonymous: true,
    log: pino({ level: 'silent' }),
  });
  sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`);
  sub.on('message', (topic, payload) => seen.push({ topic, body: JSON.parse(payload.toString()) }));
  await sub.subscribeAsync('takt/v1/#');
});
afterAll(async () => {
  await sub.endAsync();
  await broker.stop();
});

const config = (tag: string, value: number, extra = '', top = '') =>
  [
    'gateway: { id: gw-reload, site: s }',
    top,
    `mqtt: { url: "mqtt://127.0.0.1:${broker.port}"${extra} }`,
    'devices:',
    `  - { id: d, driver: simulated, machine: m1, pollIntervalMs: 100, tags: [{ name: ${tag}, channel: metric, signal: { kind: constant, value: ${value} } }] }`,
    '',
  ].join('\n');

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The heartbeat the last birth declared (ingest holds states three of them). */
const declaredHeartbeat = () =>
  seen.filter((m) => m.topic.endsWith('/status') && m.body.status === 'online').at(-1)?.body
    .heartbeatMs;

const values = (tag: string) =>
  seen
    .flatMap((m) => (m.topic.endsWith('/m1/metrics') ? (m.body.readings ?? []) : []))
    .filter((r) => r.tag === tag);

describe('SIGHUP reloads the gateway config', () => {
  it('swaps devices without a restart, and keeps the running config when the new file is bad', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'takt-reload-'));
    const file = join(dir, 'gw.yaml');
    writeFileSync(file, config('first', 1));
    let output = '';
    const agent = spawn(process.execPath, ['--import', 'tsx', main, file], {
      env: { ...process.env, TAKT_STATE_DIR: dir, LOG_LEVEL: 'info' },
    });
    agent.stdout.on('data', (c: Buffer) => (output += c.toString()));
    agent.stderr.on('data', (c: Buffer) => (output += c.toString()));
    try {
      await until('readings of the first config', () => values('first').length > 0);
      const onlineBefore = seen.filter((m) => m.topic.endsWith('/status')).length;
      expect(declaredHeartbeat()).toBe(60_000); // the default

      writeFileSync(file, config('second', 2, '', 'heartbeatMs: 30000'));
      agent.kill('SIGHUP');
      await until('readings of the reloaded config', () => values('second').length > 0);
      const firstCount = values('first').length;
      await new Promise((r) => setTimeout(r, 400));
      expect(values('first').length).toBe(firstCount); // the old device is gone
      expect(values('second')[0]!.value).toBe(2);
      expect(agent.exitCode).toBeNull(); // same process, same MQTT session
      expect(seen.filter((m) => m.topic.endsWith('/status')).length).toBeGreaterThan(onlineBefore);
      await until('the new heartbeat in the birth', () => declaredHeartbeat() === 30_000);

      writeFileSync(
        file,
        config('third', 3).replace('pollIntervalMs: 100', 'pollIntervalMs: fast'),
      );
      agent.kill('SIGHUP');
      await until('the reload refusal in the log', () =>
        output.includes('reload refused: config invalid'),
      );
      expect(output).toContain('devices.0.pollIntervalMs');
      const before = values('second').length;
      await until('the old config to keep running', () => values('second').length > before + 2);
      expect(values('third')).toHaveLength(0);

      writeFileSync(file, config('fourth', 4, ', keepaliveS: 99'));
      agent.kill('SIGHUP');
      await until('the restart-only refusal', () => output.includes('need a restart'));
      expect(agent.exitCode).toBeNull();

      // Message numbers stay strictly increasing across the reloads.
      const seqs = seen.filter((m) => typeof m.body.seq === 'number').map((m) => m.body.seq!);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
    } finally {
      agent.kill('SIGTERM');
      await new Promise((r) => agent.once('exit', r));
    }
  });
});
