import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { commandTopics, configSigningText, type ConfigResult } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/remote-config';

// Remote configuration on an installed gateway (docs/decisions.md "Issue 25 — signed agent
// updates (gateway)"): /etc/takt is read-only to the agent, so a pushed config is written to
// TAKT_REMOTE_CONFIG_FILE in the state dir and runs from there, also after a restart.
const main = join(import.meta.dirname, '../../src/main.ts');
const GW = 'gw-etc';
const server = generateKeyPairSync('ed25519');
const results: ConfigResult[] = [];
/** Tags read, with the time the agent stamped on their message. */
const readings: { tag: string; ts: number }[] = [];
const tags = () => readings.map((r) => r.tag);
let broker: RunningBroker;
let client: MqttClient;

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
    const body = JSON.parse(payload.toString()) as ConfigResult & {
      ts: number;
      readings?: { tag: string }[];
    };
    if (topic === commandTopics.commandResult('s', GW, 'config')) results.push(body);
    else if (topic.endsWith('/m1/metrics'))
      readings.push(...(body.readings ?? []).map((r) => ({ tag: r.tag, ts: body.ts })));
  });
  await client.subscribeAsync('takt/v1/#');
});
afterAll(async () => {
  await client.publishAsync(commandTopics.command('s', GW, 'config'), '', { retain: true });
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

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startAgent(etc: string, stateDir: string): ChildProcess {
  const agent = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      ...process.env,
      TAKT_GATEWAY_CONFIG: join(etc, 'gateway.yaml'),
      TAKT_STATE_DIR: stateDir,
      TAKT_REMOTE_CONFIG_FILE: join(stateDir, 'gateway.yaml'),
      LOG_LEVEL: 'warn',
    },
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

describe('remote configuration with a read-only /etc/takt', () => {
  it('writes the pushed config to the state dir, runs it, and starts from it after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'takt-etc-'));
    const etc = join(dir, 'etc/takt');
    const stateDir = join(dir, 'var/lib/takt');
    mkdirSync(etc, { recursive: true });
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(join(etc, 'gateway.yaml'), config('installed'));
    writeFileSync(
      join(etc, 'config-signing.pub'),
      server.publicKey.export({ type: 'spki', format: 'pem' }),
    );
    // Read-only as ProtectSystem=strict leaves it to the agent (root ignores the mode: the
    // checks below are that nothing was written there).
    chmodSync(etc, 0o555);
    let agent = startAgent(etc, stateDir);
    try {
      await until('readings of the installed config', () => tags().includes('installed'));
      const yaml = config('pushed');
      const sha256 = sha256Hex(yaml);
      const signature = sign(
        null,
        Buffer.from(configSigningText('s', GW, 1, sha256)),
        server.privateKey,
      );
      await client.publishAsync(
        commandTopics.command('s', GW, 'config'),
        JSON.stringify({
          v: 1,
          ts: Date.now(),
          version: 1,
          yaml,
          sha256,
          signature: signature.toString('base64'),
        }),
        { qos: 1, retain: true },
      );
      await until('the applied result', () =>
        results.some((r) => r.version === 1 && r.status === 'applied'),
      );
      await until('readings of the pushed config', () => tags().includes('pushed'));
      expect(readFileSync(join(stateDir, 'gateway.yaml'), 'utf8')).toBe(yaml);
      expect(readFileSync(join(stateDir, 'gateway.yaml.last-good'), 'utf8')).toBe(
        config('installed'),
      );
      expect(readFileSync(join(etc, 'gateway.yaml'), 'utf8')).toBe(config('installed'));
      expect(existsSync(join(etc, 'gateway.yaml.last-good'))).toBe(false);

      await stopAgent(agent);
      // Unacked readings from before come again from the disk queue (no ingest here): judge
      // only what was read after the restart.
      const restartedAt = Date.now();
      agent = startAgent(etc, stateDir);
      const fresh = () => readings.filter((r) => r.ts >= restartedAt).map((r) => r.tag);
      await until('readings after the restart', () => fresh().length > 3);
      expect(new Set(fresh())).toEqual(new Set(['pushed']));
    } finally {
      await stopAgent(agent);
      chmodSync(etc, 0o755);
    }
  });
});
