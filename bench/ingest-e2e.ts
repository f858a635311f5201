import { startBroker } from '@takt/broker';
import { copyText, createSession, createUser, startIngest, type RunningIngest } from '@takt/ingest';
import { LIVE_EVENTS, topics, type LiveUpdate } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { pino } from 'pino';
import { io as connectSocket } from 'socket.io-client';

const log = pino({ level: 'silent' });
const READINGS = 50;
const MACHINES_PER_GATEWAY = 5;

export interface E2eResult {
  gateways: number;
  points: number;
  e2ePointsPerSec: number;
  rawCopyPointsPerSec: number;
  ratio: number;
  latencyRatePointsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  latencySamples: number;
}

interface Message {
  topic: string;
  payload: string;
  machine: string;
  readings: { tag: string; value: number; ts: number }[];
}

/** What N gateways send: metrics messages of 50 readings, their seq counting from 1. */
function gatewayMessages(gateway: number, count: number, t0: number): Message[] {
  return Array.from({ length: count }, (_, i) => {
    const machine = `e2e-${gateway}-${i % MACHINES_PER_GATEWAY}`;
    const ts = t0 + i * 1000;
    const readings = Array.from({ length: READINGS }, (_, r) => ({
      tag: `t${r}`,
      value: Math.round(Math.sin(i + r) * 1000) / 10,
      ts,
    }));
    return {
      topic: topics.machine('bench', `gw-e2e-${gateway}`, machine, 'metrics'),
      machine,
      readings,
      payload: JSON.stringify({
        v: 1,
        seq: i + 1,
        ts,
        readings: readings.map((r) => ({ ...r, quality: 'good' })),
      }),
    };
  });
}

async function connectClient(url: string, id: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { clientId: id, clean: true });
  (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  return client;
}

/** Publishes every message at QoS 1 with a window of unacknowledged ones, as a gateway does. */
async function publishAll(client: MqttClient, messages: Message[], window = 200): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < messages.length) {
      const m = messages[next++]!;
      await client.publishAsync(m.topic, m.payload, { qos: 1 });
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
}

/** A signed-in admin for the API and socket.io (issue 9: nothing answers anonymously). */
async function benchToken(ingest: RunningIngest): Promise<string> {
  const user = await createUser(ingest.pool, `bench-${Date.now()}`, 'admin', 'x');
  return (await createSession(ingest.pool, user!.id, 3_600_000)).token;
}

async function waitForRows(ingest: RunningIngest, rows: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const headers = { authorization: `Bearer ${await benchToken(ingest)}` };
  for (;;) {
    const r = await fetch(`${ingest.url}/api/ingest/metrics`, { headers });
    const body = (await r.json()) as { writer: { rowsTotal: number } };
    if (body.writer.rowsTotal >= rows) return;
    if (Date.now() > deadline)
      throw new Error(`ingest stored ${body.writer.rowsTotal} of ${rows} rows in time`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** The same rows straight into samples with COPY, 10k rows a statement, on one connection. */
async function rawCopy(databaseUrl: string, messages: Message[]): Promise<number> {
  const chunks: string[] = [];
  let lines: string[] = [];
  for (const m of messages)
    for (const r of m.readings) {
      lines.push(`${new Date(r.ts).toISOString()}\t${m.machine}\t${r.tag}\t${r.value}\t\\N\t0`);
      if (lines.length === 10_000) {
        chunks.push(lines.join('\n') + '\n');
        lines = [];
      }
    }
  if (lines.length) chunks.push(lines.join('\n') + '\n');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const t0 = performance.now();
    for (const chunk of chunks) {
      await copyText(
        client,
        'COPY samples (time, machine_id, tag, value, value_text, quality) FROM STDIN',
        chunk,
      );
    }
    return performance.now() - t0;
  } finally {
    await client.end();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Publish -> socket.io `machines:update` at a fixed rate: each message's wait until a screen shows it. */
async function latency(
  ingest: RunningIngest,
  brokerUrl: string,
  pointsPerSec: number,
  seconds: number,
) {
  const socket = connectSocket(ingest.url, {
    transports: ['websocket'],
    auth: { token: await benchToken(ingest) },
  });
  await new Promise((resolve) => socket.once(LIVE_EVENTS.snapshot, resolve));
  const client = await connectClient(brokerUrl, 'bench-latency');
  const pending = new Map<string, number[]>(); // machine -> send times (= reading ts) not yet seen
  const latencies: number[] = [];
  socket.on(LIVE_EVENTS.update, (update: LiveUpdate) => {
    const now = Date.now();
    for (const m of update.machines) {
      const shown = Math.max(...Object.values(m.values).map((v) => Date.parse(v.at)));
      const list = pending.get(m.id) ?? [];
      while (list.length > 0 && list[0]! <= shown) latencies.push(now - list.shift()!);
    }
  });
  // A message every 10 ms carrying what the rate owes since the start: timers slip on a
  // busy machine, the rate does not.
  const everyMs = 10;
  let seq = 0;
  const t0 = Date.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = Date.now() - t0;
      if (elapsed >= seconds * 1000) {
        clearInterval(timer);
        resolve();
        return;
      }
      const owed = Math.min(500, Math.round((pointsPerSec * elapsed) / 1000) - sent);
      if (owed <= 0) return;
      const ts = Date.now();
      const machine = `lat-${seq % 5}`;
      seq += 1;
      const readings = Array.from({ length: owed }, (_, r) => ({
        tag: `t${r}`,
        value: r,
        ts,
        quality: 'good',
      }));
      if (!pending.has(machine)) pending.set(machine, []);
      pending.get(machine)!.push(ts);
      sent += owed;
      void client.publishAsync(
        topics.machine('bench', 'gw-latency', machine, 'metrics'),
        JSON.stringify({ v: 1, seq, ts, readings }),
        { qos: 1 },
      );
    }, everyMs);
  });
  const rate = sent / ((Date.now() - t0) / 1000);
  await new Promise((r) => setTimeout(r, 1500)); // the last ones reach the screen
  socket.close();
  await client.endAsync();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    latencyRatePointsPerSec: Math.round(rate),
    latencyP50Ms: percentile(sorted, 50),
    latencyP99Ms: percentile(sorted, 99),
    latencyMaxMs: sorted.at(-1) ?? NaN,
    latencySamples: sorted.length,
  };
}

/**
 * End to end: N simulated gateways publish through the real broker (aedes) into ingest and
 * PostgreSQL; then the same rows go into the same table by raw COPY. Then the live latency.
 */
export async function benchEndToEnd(
  databaseUrl: string,
  options: { gateways: number; messagesPerGateway: number },
): Promise<E2eResult> {
  const broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    users: [],
    allowAnonymous: true,
    log,
  });
  const brokerUrl = `mqtt://127.0.0.1:${broker.port}`;
  const ingest = await startIngest({
    databaseUrl,
    mqtt: { url: brokerUrl, clientId: 'bench-ingest' },
    http: { host: '127.0.0.1', port: 0 },
    log,
  });
  try {
    await ingest.subscribed;
    const t0 = Date.now() - 3_600_000;
    const perGateway = Array.from({ length: options.gateways }, (_, g) =>
      gatewayMessages(g, options.messagesPerGateway, t0),
    );
    const points = options.gateways * options.messagesPerGateway * READINGS;
    const clients = await Promise.all(
      perGateway.map((_, g) => connectClient(brokerUrl, `bench-gw-${g}`)),
    );
    const started = performance.now();
    await Promise.all(clients.map((c, g) => publishAll(c, perGateway[g]!)));
    await waitForRows(ingest, points, 300_000);
    const e2eMs = performance.now() - started;
    await Promise.all(clients.map((c) => c.endAsync()));
    const stored = await ingest.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM samples WHERE machine_id LIKE 'e2e-%'",
    );
    if (Number(stored.rows[0]!.n) !== points)
      throw new Error(`stored ${stored.rows[0]!.n} rows, expected ${points}`);
    process.stdout.write(`  end to end: ${points} points in ${Math.round(e2eMs)} ms\n`);

    const copyMs = await rawCopy(databaseUrl, perGateway.flat());
    process.stdout.write(`  raw COPY: ${points} points in ${Math.round(copyMs)} ms\n`);
    const e2ePointsPerSec = Math.round(points / (e2eMs / 1000));
    const rawCopyPointsPerSec = Math.round(points / (copyMs / 1000));
    const live = await latency(ingest, brokerUrl, 5000, 10);
    return {
      gateways: options.gateways,
      points,
      e2ePointsPerSec,
      rawCopyPointsPerSec,
      ratio: Number((e2ePointsPerSec / rawCopyPointsPerSec).toFixed(2)),
      ...live,
    };
  } finally {
    await ingest.stop();
    await broker.stop();
  }
}
