import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { AGENT_VERSION, configVersion } from '@takt/edge-agent';
import { createSession, createUser, startIngest, type RunningIngest } from '@takt/ingest';
import { gatewayConfigSchema, type GatewayDetail, type GatewaySummary } from '@takt/protocol';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/db';
import { testLog } from '../helpers/logger';
import { waitFor } from '../helpers/wait';

/**
 * Issue 25, gateway health (docs/decisions.md "Issue 25 — gateway health"): a real edge agent
 * process (edge-agent/src/main.ts, simulated driver) against the real broker and ingest on
 * loopback; `GET /api/gateways` shows it online with its versions, queue and clock offset,
 * its detail shows its device and tags, and a stopped agent is shown offline.
 */
const main = join(import.meta.dirname, '../../edge-agent/src/main.ts');
let broker: RunningBroker;
let ingest: RunningIngest;
let token: string;

beforeAll(async () => {
  broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    users: [],
    allowAnonymous: true,
    log: testLog,
  });
  ingest = await startIngest({
    databaseUrl: await createTestDatabase(),
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'ingest-gateways' },
    http: { host: '127.0.0.1', port: 0 },
    log: testLog,
  });
  await ingest.subscribed;
  const admin = await createUser(ingest.pool, 'gw-admin', 'admin', 'x');
  token = (await createSession(ingest.pool, admin!.id, 3_600_000)).token;
}, 30_000);
afterAll(async () => {
  await ingest?.stop();
  await broker?.stop();
});

async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const answer = await fetch(`${ingest.url}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: answer.status, body: (await answer.json()) as T };
}

const YAML = `
gateway: { id: gw-health, site: fleet }
mqtt: { url: mqtt://127.0.0.1:1 }
devices:
  - id: press-plc
    driver: simulated
    machine: fleet-m1
    pollIntervalMs: 100
    tags:
      - { name: temperature, channel: metric, unit: C, signal: { kind: constant, value: 42 } }
`;

function startAgent(dir: string): ChildProcess {
  const file = join(dir, 'gw.yaml');
  writeFileSync(file, YAML);
  return spawn(process.execPath, ['--import', 'tsx', main, file], {
    env: {
      ...process.env,
      TAKT_MQTT_URL: `mqtt://127.0.0.1:${broker.port}`,
      TAKT_STATE_DIR: join(dir, 'state'),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

describe('gateway health', () => {
  it('lists a running agent online with its versions, queue and clock, and offline once stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'takt-gateways-'));
    const agent = startAgent(dir);
    const exited = new Promise<number | null>((resolve) => agent.once('exit', resolve));
    try {
      // The running config as main.ts makes it: the file with the broker and state dir of the env.
      const running = gatewayConfigSchema.parse({
        ...(parse(YAML) as object),
        mqtt: { url: `mqtt://127.0.0.1:${broker.port}` },
        stateDir: join(dir, 'state'),
      });
      const expectedConfig = configVersion(running);
      expect(expectedConfig).toMatch(/^[0-9a-f]{12}$/);

      // A status with a clock offset comes from a live (not retained) status: the first birth
      // after ingest subscribed, then one every 10 s.
      const gateway = await waitFor(
        'the gateway online with its figures',
        async () => {
          const { body } = await get<GatewaySummary[]>('/api/gateways');
          const g = body.find((x) => x.id === 'gw-health');
          return g?.online && g.clockOffsetMs !== null && g.devices[0]?.connected ? g : undefined;
        },
        30_000,
      );
      expect(gateway.agentVersion).toBe(AGENT_VERSION);
      expect(gateway.configVersion).toBe(expectedConfig);
      expect(typeof gateway.queueDepth).toBe('number');
      expect(gateway.queueDepth).toBeGreaterThanOrEqual(0);
      // Same machine, same clock: the offset is the network delay on loopback, far under 2 s.
      expect(typeof gateway.clockOffsetMs).toBe('number');
      expect(Math.abs(gateway.clockOffsetMs!)).toBeLessThan(2000);
      expect(gateway.clockSkewed).toBe(false);
      expect(gateway.devices).toEqual([
        { id: 'press-plc', connected: true, machines: ['fleet-m1'] },
      ]);
      expect(gateway.deadLetters24h).toBe(0);
      expect(Date.parse(gateway.lastSeenAt!)).not.toBeNaN();

      // The detail: its device's machine's tags, with their latest value and quality.
      const tag = await waitFor('the tag in the detail', async () => {
        const { body } = await get<GatewayDetail>('/api/gateways/gw-health');
        return body.tags.find((t) => t.tag === 'temperature');
      });
      expect(tag).toMatchObject({ machine: 'fleet-m1', value: 42, unit: 'C', quality: 'good' });
      const missing = await get<{ message: string }>('/api/gateways/gw-nowhere');
      expect(missing.status).toBe(404);
      expect(missing.body.message).toContain('gw-nowhere');
      const bad = await get<{ message: string }>('/api/gateways/gw%01x');
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/control characters/);
      // The old route under the same prefix still answers.
      const bindings = await get<{ machine: string; gateway: string }[]>('/api/gateways/bindings');
      expect(bindings.status).toBe(200);
      expect(bindings.body).toContainEqual(
        expect.objectContaining({ machine: 'fleet-m1', gateway: 'gw-health' }),
      );

      // A clean stop sends `offline` before it goes.
      agent.kill('SIGTERM');
      expect(await exited).toBe(0);
      const offline = await waitFor('the gateway offline', async () => {
        const { body } = await get<GatewaySummary[]>('/api/gateways');
        const g = body.find((x) => x.id === 'gw-health');
        return g && !g.online ? g : undefined;
      });
      // What it last reported stays readable.
      expect(offline.agentVersion).toBe(AGENT_VERSION);
      expect(offline.configVersion).toBe(expectedConfig);
    } finally {
      if (agent.exitCode === null) agent.kill('SIGKILL');
    }
  }, 60_000);

  it('shows a crashed agent (SIGKILL, no offline status) offline once its statuses stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'takt-gateways-'));
    const agent = startAgent(dir);
    const exited = new Promise<unknown>((resolve) => agent.once('exit', resolve));
    try {
      const seen = await waitFor(
        'the gateway online',
        async () => {
          const { body } = await get<GatewaySummary[]>('/api/gateways');
          const g = body.find((x) => x.id === 'gw-health');
          // A fresh status from this process (the first test's gateway of the same id is offline).
          return g?.online ? g : undefined;
        },
        30_000,
      );
      agent.kill('SIGKILL');
      await exited;
      // Its will is stamped at connect, older than its statuses: only their absence tells.
      const offline = await waitFor(
        'the gateway offline',
        async () => {
          const { body } = await get<GatewaySummary[]>('/api/gateways');
          const g = body.find((x) => x.id === 'gw-health');
          return g && !g.online ? g : undefined;
        },
        60_000,
        500,
      );
      expect(Date.parse(offline.lastSeenAt!)).toBeGreaterThanOrEqual(Date.parse(seen.lastSeenAt!));
      expect(offline.agentVersion).toBe(AGENT_VERSION);
    } finally {
      if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
    }
  }, 90_000);
});
