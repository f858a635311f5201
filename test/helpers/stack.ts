import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, startBroker, type RunningBroker } from '@takt/broker';
import { startEdgeAgent, type RunningEdgeAgent } from '@takt/edge-agent';
import {
  createSession,
  createUser,
  startIngest,
  type IngestOptions,
  type RunningIngest,
} from '@takt/ingest';
import {
  encodePayload,
  gatewayConfigSchema,
  loadYamlConfig,
  scenarioSchema,
  topics,
  type GatewayConfig,
  type ScanPayload,
} from '@takt/protocol';
import mqtt from 'mqtt';
import { startPtyPair, startSim, type PtyWriter, type RunningSim } from '@takt/sim';
import { createTestDatabase } from './db';
import { testLog } from './logger';
import { waitFor } from './wait';

const root = join(import.meta.dirname, '../..');

export interface Stack {
  broker: RunningBroker;
  sim: RunningSim;
  ingest: RunningIngest;
  edge: RunningEdgeAgent;
  gateway: GatewayConfig;
  mqttUrl: string;
  credentials: { gateway: string; ingest: string; admin: string };
  /** A signed-in admin of the dashboard/API: `Authorization: Bearer …` headers, and its token. */
  auth: { authorization: string };
  adminToken: string;
  /** fetch on ingest's API as that admin (headers merged with init's). */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** POSTs `body` as JSON to ingest's API as that admin. */
  post(path: string, body: unknown): Promise<Response>;
  /** Writes to the assembly station's scanner line, as an operator's scan. */
  scanner: PtyWriter;
  /** Publishes a scan message of a station, as the demo gateway does (its own seq range). */
  publishScan(station: string, scan: Omit<ScanPayload, 'v' | 'seq' | 'ts'>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole plant in this process, every hop real and on loopback: the demo scenario's
 * Modbus TCP PLCs, aedes, ingest on a fresh PostgreSQL database, and the demo gateway's
 * config pointed at the sim's ports.
 */
export async function startStack(
  options: {
    dashboardDir?: string;
    /** Another plant model than the demo's (e.g. with alert rules pointing at test receivers). */
    plantFile?: string;
    alerts?: IngestOptions['alerts'];
  } = {},
): Promise<Stack> {
  const credentials = {
    gateway: 'gw-pass-123',
    ingest: 'ingest-pass-456',
    /** The dashboard user `stack-admin`. */
    admin: 'admin-pass-789',
  };
  const broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    users: [
      {
        username: 'gw-demo-1',
        passwordHash: await hashPassword(credentials.gateway),
        role: 'gateway',
        site: 'demo-plant',
        gatewayId: 'gw-demo-1',
      },
      { username: 'ingest', passwordHash: await hashPassword(credentials.ingest), role: 'ingest' },
    ],
    log: testLog,
  });
  const scenario = loadYamlConfig(join(root, 'sim/scenarios/demo.yaml'), scenarioSchema);
  const tmp = mkdtempSync(join(tmpdir(), 'takt-stack-'));
  const sim = await startSim(
    { ...scenario, machines: scenario.machines.map((m) => ({ ...m, port: 0 })) },
    { log: testLog, opcua: { port: 0, pkiDir: join(tmp, 'sim-pki') } },
  );
  // The assembly station's scanner: a real pty pair; the test scans by writing to `scanner`.
  const scannerLine = await startPtyPair(join(tmp, 'scanner-edge'), join(tmp, 'scanner-sim'));
  const scanner = await scannerLine.writer();
  const mqttUrl = `mqtt://127.0.0.1:${broker.port}`;
  const ingest = await startIngest({
    databaseUrl: await createTestDatabase(),
    mqtt: {
      url: mqttUrl,
      username: 'ingest',
      password: credentials.ingest,
      clientId: `ingest-${Math.random()}`,
    },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: options.plantFile ?? join(root, 'ingest/plant/demo-plant.yaml'),
    ...(options.alerts ? { alerts: options.alerts } : {}),
    dashboardDir: options.dashboardDir,
    batch: { maxItems: 5000, maxDelayMs: 50 },
    log: testLog,
  });
  await ingest.subscribed;
  const admin = await createUser(ingest.pool, 'stack-admin', 'admin', credentials.admin);
  const { token: adminToken } = await createSession(ingest.pool, admin!.id, 24 * 3_600_000);
  const auth = { authorization: `Bearer ${adminToken}` };
  const demo = loadYamlConfig(
    join(root, 'firmware-configs/demo-gateway.yaml'),
    gatewayConfigSchema,
  );
  const gateway: GatewayConfig = gatewayConfigSchema.parse({
    ...demo,
    mqtt: { ...demo.mqtt, url: mqttUrl },
    stateDir: join(tmp, 'edge'),
    devices: demo.devices.map((d) => {
      switch (d.driver) {
        case 'modbus-tcp':
          return { ...d, port: sim.machines.get(d.machine!)!.port, pollIntervalMs: 200 };
        case 'opcua':
          return { ...d, endpointUrl: sim.opcua!.endpointUrl };
        case 'serial-scanner':
          return { ...d, path: scannerLine.a, debounceMs: 0 };
        default:
          return d;
      }
    }),
  });
  // Test scans share the gateway's seq space: start far above the agent's own numbers (the
  // clock in µs, ~1.8e15 today) so that dedupe never takes one for the other.
  let nextScanSeq = 9_000_000_000_000_000;
  const edge = await startEdgeAgent(gateway, { password: credentials.gateway, log: testLog });
  // Ready when every machine has reported once (OPC UA needs its client certificate first,
  // a few seconds on a busy machine).
  await waitFor(
    'every demo machine to report',
    async () => {
      const { rows } = await ingest.pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM machines WHERE last_seen_at IS NULL',
      );
      return rows[0]!.n === '0' || undefined;
    },
    45_000,
  );
  const api: Stack['api'] = (path, init = {}) =>
    fetch(`${ingest.url}${path}`, {
      ...init,
      headers: { ...auth, ...(init.headers as Record<string, string> | undefined) },
    });
  return {
    broker,
    sim,
    ingest,
    edge,
    gateway,
    mqttUrl,
    credentials,
    auth,
    adminToken,
    api,
    post: (path, body) =>
      api(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    scanner,
    async publishScan(station, scan) {
      const client = await mqtt.connectAsync(mqttUrl, {
        // A second connection of the gateway's account: its own client id under the
        // gateway's (the broker binds client ids to accounts).
        clientId: `takt-gw-${demo.gateway.id}/test-scans`,
        username: 'gw-demo-1',
        password: credentials.gateway,
      });
      const payload = encodePayload('scan', { v: 1, seq: nextScanSeq++, ts: Date.now(), ...scan });
      await client.publishAsync(
        topics.machine(demo.gateway.site, demo.gateway.id, station, 'scan'),
        payload,
        { qos: 1 },
      );
      await client.endAsync();
    },
    async stop() {
      await edge.stop();
      await ingest.stop();
      await scanner.close();
      await scannerLine.stop();
      await sim.stop();
      await broker.stop();
    },
  };
}
