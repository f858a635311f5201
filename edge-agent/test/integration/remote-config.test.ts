import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { commandTopics, configSigningText, type ConfigResult } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/remote-config';

const main = join(import.meta.dirname, '../../src/main.ts');
const GW = 'gw-remote';
let broker: RunningBroker;
let client: MqttClient;
const results: ConfigResult[] = [];
const readings: string[] = [];
const server = generateKeyPairSync('ed25519');

beforeAll(async () => {
  broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    users: [],
    allowAnonymous: true,
    log: pino({ level: 'silent' }),
  });
  client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`);
  client.on('message', (topic, payload) => {
    const body = JSON.parse(payload.toString()) as ConfigResult & { readings?: { tag: string }[] };
    if (topic === commandTopics.commandResult('s', GW, 'config')) results.push(body);
    else if (topic.endsWith('/m1/metrics'))
      readings.push(...(body.readings ?? []).map((r) => r.tag));
  });
  await client.subscribeAsync('takt/v1/#');
});
afterAll(async () => {
  await client.endAsync();
  await broker.stop();
});

const config = (tag: string) =>
  [
    `gateway: { id: ${GW}, site: s }`,
    `mqtt: { url: "mqtt://127.0.0.1:${broker.port}" }`,
    'devices:',
    `  - { id: d, driver: simulated, machine: m1, pollIntervalMs: 100, tags: [{ name: ${tag}, channel: metric, signal: { kind: constant, value: 1 } }] }`,
    '',
  ].join('\n');

/** What ingest publishes (ingest/src/fleet/): retained, signed with the server key. */
async function push(yaml: string, version: number, key: KeyObject = server.privateKey) {
  const sha256 = sha256Hex(yaml);
  const signature = sign(null, Buffer.from(configSigningText('s', GW, version, sha256)), key);
  const body = {
    v: 1,
    ts: Date.now(),
    version,
    yaml,
    sha256,
    signature: signature.toString('base64'),
  };
  await client.publishAsync(commandTopics.command('s', GW, 'config'), JSON.stringify(body), {
    qos: 1,
    retain: true,
  });
}

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const resultOf = (version: number, status: string) => () =>
  results.some((r) => r.version === version && r.status === status);

function startAgent(file: string, dir: string): ChildProcess {
  const agent = spawn(process.execPath, ['--import', 'tsx', main, file], {
    env: { ...process.env, TAKT_STATE_DIR: dir, LOG_LEVEL: 'warn' },
  });
  agent.stderr!.resume();
  agent.stdout!.resume();
  return agent;
}

async function stopAgent(agent: ChildProcess): Promise<void> {
  if (agent.exitCode !== null) return;
  agent.kill('SIGTERM');
  await new Promise((r) => agent.once('exit', r));
}

describe('remote configuration of a running agent', () => {
  it('applies a valid config, refuses an invalid, a wrongly signed and a replayed one, and reaches an offline gateway', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'takt-remote-'));
    const file = join(dir, 'gw.yaml');
    writeFileSync(file, config('first'));
    writeFileSync(
      join(dir, 'config-signing.pub'),
      server.publicKey.export({ type: 'spki', format: 'pem' }),
    );
    let agent = startAgent(file, dir);
    try {
      await until('readings of the first config', () => readings.includes('first'));

      // A valid config with the tag renamed: applied, readings under the new name.
      await push(config('renamed'), 1);
      await until('the applied result', resultOf(1, 'applied'));
      await until('readings under the renamed tag', () => readings.includes('renamed'));
      expect(readFileSync(file, 'utf8')).toBe(config('renamed'));
      expect(readFileSync(`${file}.last-good`, 'utf8')).toBe(config('first'));

      // An invalid one: refused with the validation error, the old config keeps running.
      await push(config('bad').replace('pollIntervalMs: 100', 'pollIntervalMs: fast'), 2);
      await until('the refusal', resultOf(2, 'refused'));
      expect(results.find((r) => r.version === 2)!.error).toContain('devices.0.pollIntervalMs');
      const before = readings.filter((t) => t === 'renamed').length;
      await until(
        'the old config to keep running',
        () => readings.filter((t) => t === 'renamed').length > before + 2,
      );
      expect(readings).not.toContain('bad');
      expect(readFileSync(file, 'utf8')).toBe(config('renamed'));
      expect(agent.exitCode).toBeNull();

      // Signed with another key: refused.
      await push(config('forged'), 3, generateKeyPairSync('ed25519').privateKey);
      await until('the signature refusal', resultOf(3, 'refused'));
      expect(results.find((r) => r.version === 3)!.error).toContain('signature');

      // A change reload refuses (mqtt needs a restart): refused, the file rolled back.
      await push(config('restart').replace('" }', '", keepaliveS: 99 }'), 4);
      await until('the restart-only refusal', resultOf(4, 'refused'));
      expect(results.find((r) => r.version === 4)!.error).toContain('need a restart');
      expect(readFileSync(file, 'utf8')).toBe(config('renamed'));

      // A replayed old version: refused.
      await push(config('first'), 1);
      await until('the replay refusal', () =>
        results.some((r) => r.version === 1 && r.status === 'refused'),
      );
      expect(results.filter((r) => r.version === 1).at(-1)!.error).toContain('not newer');
      expect(agent.exitCode).toBeNull();

      // Offline at push time: the retained command reaches it when it is back.
      await stopAgent(agent);
      await push(config('while-away'), 5);
      expect(existsSync(join(dir, GW, 'config-version'))).toBe(true);
      agent = startAgent(file, dir);
      await until('the applied result after the restart', resultOf(5, 'applied'));
      await until('readings of the config pushed while away', () =>
        readings.includes('while-away'),
      );
      expect(readFileSync(file, 'utf8')).toBe(config('while-away'));
    } finally {
      await stopAgent(agent);
      // Leave no retained command behind for other tests on this broker.
      await client.publishAsync(commandTopics.command('s', GW, 'config'), '', { retain: true });
    }
  });
});
