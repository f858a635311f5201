import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import type { GatewayConfigView } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';

/*
 * Remote configuration end to end (docs/decisions.md "Issue 25 — remote configuration"): the
 * real broker, ingest on PostgreSQL and an edge agent process with the simulated driver.
 */
const agentMain = join(import.meta.dirname, '../../../edge-agent/src/main.ts');
const GW = 'gw-cfg';
let broker: RunningBroker;
let ingest: RunningIngest;
let sub: MqttClient;
let auth: { authorization: string };
const tags: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'takt-gw-config-'));
const file = join(dir, 'gw.yaml');

beforeAll(async () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(join(dir, 'config-signing.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  const keyFile = join(mkdtempSync(join(tmpdir(), 'takt-key-')), 'config-signing.key');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const log = pino({ level: 'silent' });
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_gw_config'),
    mqtt: { url, clientId: 'ingest-gw-config' },
    http: { host: '127.0.0.1', port: 0 },
    configSigningKeyFile: keyFile,
    log,
  });
  await ingest.subscribed;
  auth = await signedIn(ingest.pool, 'admin');
  sub = await mqtt.connectAsync(url);
  sub.on('message', (topic, payload) => {
    if (!topic.endsWith('/m1/metrics')) return;
    const body = JSON.parse(payload.toString()) as { readings: { tag: string }[] };
    tags.push(...body.readings.map((r) => r.tag));
  });
  await sub.subscribeAsync(`takt/v1/s/${GW}/#`);
});
afterAll(async () => {
  await sub?.endAsync();
  await ingest?.stop();
  await broker?.stop();
});

const config = (tag: string, mqttExtra = '') =>
  [
    `gateway: { id: ${GW}, site: s }`,
    `mqtt: { url: "mqtt://127.0.0.1:${broker.port}"${mqttExtra} }`,
    'devices:',
    `  - { id: d, driver: simulated, machine: m1, pollIntervalMs: 100, tags: [{ name: ${tag}, channel: metric, signal: { kind: constant, value: 1 } }] }`,
    '',
  ].join('\n');

async function put(yaml: string, id = GW, lang = 'en') {
  const response = await fetch(`${ingest.url}/api/gateways/${id}/config`, {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/yaml', 'accept-language': lang },
    body: yaml,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function view(): Promise<GatewayConfigView> {
  const response = await fetch(`${ingest.url}/api/gateways/${GW}/config`, { headers: auth });
  expect(response.status).toBe(200);
  return (await response.json()) as GatewayConfigView;
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const statusOf = async (version: number) =>
  (await view()).history.find((h) => h.version === version)?.status;

function startAgent(): ChildProcess {
  const agent = spawn(process.execPath, ['--import', 'tsx', agentMain, file], {
    env: { ...process.env, TAKT_STATE_DIR: dir, LOG_LEVEL: 'warn' },
  });
  agent.stdout!.resume();
  agent.stderr!.resume();
  return agent;
}

async function stopAgent(agent: ChildProcess): Promise<void> {
  if (agent.exitCode !== null) return;
  agent.kill('SIGTERM');
  await new Promise((r) => agent.once('exit', r));
}

describe('PUT /api/gateways/:id/config', () => {
  it('refuses a config that fails validation with its line and field, and one for another gateway', async () => {
    const bad = await put(config('x').replace('pollIntervalMs: 100', 'pollIntervalMs: fast'));
    expect(bad.status).toBe(422);
    expect(bad.body.message).toContain(`${GW}.yaml:4: devices.0.pollIntervalMs`);
    const other = await put(config('x'), 'gw-other');
    expect(other.status).toBe(400);
    expect(other.body.message).toContain('gateway.id must match');
    const zh = await put(config('x'), 'gw-other', 'zh-CN');
    expect(zh.body.message).toBe('该配置属于网关 "gw-cfg"，而不是 "gw-other"：gateway.id 必须一致');
    expect((await view()).history).toHaveLength(0);
  });

  it('answers 503 and stores nothing when ingest has no signing key', async () => {
    const keyless = await startIngest({
      databaseUrl: await createTestDatabase('takt_gw_config_nokey'),
      mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'ingest-gw-config-nokey' },
      http: { host: '127.0.0.1', port: 0 },
      configSigningKeyFile: undefined,
      log: pino({ level: 'silent' }),
    });
    try {
      const admin = await signedIn(keyless.pool, 'admin');
      const response = await fetch(`${keyless.url}/api/gateways/${GW}/config`, {
        method: 'PUT',
        headers: { ...admin, 'content-type': 'application/yaml' },
        body: config('x'),
      });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { message: string }).message).toContain(
        'TAKT_CONFIG_SIGNING_KEY_FILE',
      );
      const { rows } = await keyless.pool.query('SELECT 1 FROM gateway_configs');
      expect(rows).toHaveLength(0);
    } finally {
      await keyless.stop();
    }
  });

  it('applies a valid config on a running agent, records a refusal, and reaches it after it was offline', async () => {
    writeFileSync(file, config('first'));
    let agent = startAgent();
    try {
      await until('readings of the first config', () => tags.includes('first'));

      const pushed = await put(config('renamed'));
      expect(pushed.status).toBe(201);
      expect(pushed.body).toMatchObject({ version: 1, status: 'pending' });
      await until('version 1 applied', async () => (await statusOf(1)) === 'applied');
      await until('readings under the renamed tag', () => tags.includes('renamed'));
      // The status names the pushed version it runs (docs/decisions.md "Issue 25 — signed
      // agent updates (server)"), not a hash.
      await until('the status to say v1', async () => {
        const r = await fetch(`${ingest.url}/api/gateways/${GW}`, { headers: auth });
        return (
          r.status === 200 && ((await r.json()) as { configVersion: string }).configVersion === 'v1'
        );
      });

      // Valid for the schema, refused by the agent's reload: the exact reason comes back.
      expect((await put(config('restart', ', keepaliveS: 99'))).status).toBe(201);
      await until('version 2 refused', async () => (await statusOf(2)) === 'refused');
      const refused = (await view()).history.find((h) => h.version === 2)!;
      expect(refused.error).toContain('need a restart');
      const before = tags.filter((t) => t === 'renamed').length;
      await until(
        'the old config to keep running',
        () => tags.filter((t) => t === 'renamed').length > before + 2,
      );
      expect(agent.exitCode).toBeNull();

      // Offline at push time: applied when it is back.
      await stopAgent(agent);
      expect((await put(config('while-away'))).status).toBe(201);
      expect(await statusOf(3)).toBe('pending');
      agent = startAgent();
      await until('version 3 applied', async () => (await statusOf(3)) === 'applied');
      await until('readings of the config pushed while away', () => tags.includes('while-away'));

      const audit = await view();
      expect(audit.appliedVersion).toBe(3);
      expect(audit.yaml).toBe(config('while-away'));
      expect(audit.history.map((h) => [h.version, h.status])).toEqual([
        [3, 'applied'],
        [2, 'refused'],
        [1, 'applied'],
      ]);
      expect(audit.history.every((h) => h.createdBy?.startsWith('admin-'))).toBe(true);
      expect(audit.history.every((h) => h.resultAt !== null)).toBe(true);
    } finally {
      await stopAgent(agent);
    }
  });
});
