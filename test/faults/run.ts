/**
 * `npm run test:faults` (issue 4): the real stack on loopback as child processes — broker,
 * ingest, two edge agents behind a TCP fault proxy, its own embedded PostgreSQL — fed by a
 * known sequence (the simulated driver's `sequence` signal: one reading per tag per 10 ms
 * slot, value = slot number, none skipped within a run). While it runs: SIGKILL + restart
 * the broker 5× and ingest 5×, stop/start PostgreSQL once, SIGKILL an edge agent and start
 * it again from its disk queue, cut the edges off the broker for 32 s and flap the link
 * 20 times. Then the queues drain and the database is checked: every reading exactly once,
 * values matching their slot times, counts equal to what a fault-free run gives.
 * Prints `faults: sent=… stored=… duplicates=… lost=… maxRecoveryMs=…`; exits 1 on any loss
 * or duplicate.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '@takt/ingest';
import { statusPayloadSchema } from '@takt/protocol';
import { freePort } from '@takt/sim';
import mqtt from 'mqtt';
import pg from 'pg';
import { Child } from './children';
import { FaultProxy } from './proxy';
import { verify, type Expectation } from './verify';

const STEP_MS = 10;
const TAGS = ['s1', 's2', 's3', 's4'];
const GATEWAYS = ['gw-f1', 'gw-f2'];
const RUN_S = Number(process.env.TAKT_FAULTS_RUN_S ?? 150);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const work = mkdtempSync(join(tmpdir(), 'takt-faults-'));
chmodSync(work, 0o755); // as root, PostgreSQL runs as an unprivileged user that must reach it
const logDir = join(work, 'logs');
mkdirSync(logDir);
const say = (what: string) =>
  console.log(`[faults ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${what}`);
let t0 = Date.now();

function gatewayConfig(id: string, proxyPort: number, drain: boolean): string {
  const machine = `${id}-m`;
  const device = drain
    ? {
        // After the run: a device that sends (almost) nothing, so the queue can drain.
        id: 'idle',
        driver: 'simulated',
        machine: `${id}-idle`,
        pollIntervalMs: 1000,
        tags: [
          { name: 'c', channel: 'metric', deadband: 0, signal: { kind: 'constant', value: 1 } },
        ],
      }
    : {
        id: 'src',
        driver: 'simulated',
        machine,
        pollIntervalMs: 50,
        tags: [
          ...TAGS.map((name) => ({
            name,
            channel: 'metric',
            signal: { kind: 'sequence', stepMs: STEP_MS },
          })),
          { name: 'good', channel: 'count.good', signal: { kind: 'sequence', stepMs: STEP_MS } },
        ],
      };
  const file = join(work, `${id}${drain ? '-drain' : ''}.yaml`);
  writeFileSync(
    file,
    JSON.stringify({
      gateway: { id, site: 'faults' },
      mqtt: { url: `mqtt://127.0.0.1:${proxyPort}`, keepaliveS: 5 },
      stateDir: join(work, 'edge'),
      queue: { fsync: 'interval', fsyncIntervalMs: 200, ackTimeoutMs: 5000 },
      devices: [device],
    }),
  );
  return file;
}

async function main(): Promise<number> {
  const [pgPort, brokerPort, proxyPort, httpPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  let db: EmbeddedDatabase = await startEmbeddedPostgres({
    dataDir: join(work, 'pg'),
    port: pgPort,
  });
  const databaseUrl = await db.createDatabase('takt_faults');
  const proxy = new FaultProxy(proxyPort, brokerPort);
  await proxy.start();
  const broker = new Child(
    'broker',
    'broker/src/main.ts',
    [],
    {
      TAKT_BROKER_PORT: String(brokerPort),
      TAKT_BROKER_ALLOW_ANONYMOUS: 'true',
      LOG_LEVEL: 'debug', // client errors, for the log of a failed run
    },
    logDir,
  );
  const ingest = new Child(
    'ingest',
    'ingest/src/main.ts',
    [],
    {
      DATABASE_URL: databaseUrl,
      TAKT_MQTT_URL: `mqtt://127.0.0.1:${brokerPort}`,
      TAKT_HTTP_PORT: String(httpPort),
    },
    logDir,
  );
  const edges = new Map(
    GATEWAYS.map((id) => [
      id,
      new Child(
        id,
        'edge-agent/src/main.ts',
        [gatewayConfig(id, proxyPort, false)],
        {
          TAKT_STATE_DIR: join(work, 'edge'),
        },
        logDir,
      ),
    ]),
  );
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  sql.on('error', () => undefined);
  console.log(`[faults] work dir ${work} (logs in ${logDir})`);

  broker.start();
  ingest.start();
  await sleep(3000);
  t0 = Date.now();
  for (const edge of edges.values()) edge.start();

  // Recovery: after a fault ends, how long until readings taken after it are stored.
  const recoveries: number[] = [];
  const watchRecovery = (what: string, gateways: string[]) => {
    const restoredAt = Date.now();
    void (async () => {
      while (Date.now() - restoredAt < 120_000) {
        await sleep(100);
        try {
          const { rows } = await sql.query<{ n: string }>(
            `SELECT count(*) AS n FROM unnest($1::text[]) AS g(id)
              WHERE EXISTS (SELECT 1 FROM samples s WHERE s.machine_id = g.id || '-m'
                              AND s.tag = 's1' AND s.time > $2)`,
            [gateways, new Date(restoredAt)],
          );
          if (Number(rows[0]!.n) === gateways.length) {
            recoveries.push(Date.now() - restoredAt);
            say(`${what}: recovered in ${Date.now() - restoredAt} ms`);
            return;
          }
        } catch {
          // the database itself may be the fault
        }
      }
      recoveries.push(Infinity);
      say(`${what}: NOT recovered within 120 s`);
    })();
  };
  const at = async (s: number) => {
    const wait = t0 + s * 1000 - Date.now();
    if (wait > 0) await sleep(wait);
  };
  let edgeKill: { killedAt: number; restartedAt: number } | undefined;

  const schedule: [number, () => Promise<void>][] = [];
  // Flaps: 20 short cuts of the edge <-> broker link.
  for (let i = 0; i < 20; i++)
    schedule.push(
      [3 + i * 0.5, async () => proxy.cut()],
      [3.25 + i * 0.5, async () => proxy.restore()],
    );
  schedule.push([13.5, async () => watchRecovery('20 link flaps', GATEWAYS)]);
  for (const s of [15, 35, 55, 75, 95]) {
    schedule.push([
      s,
      async () => {
        await broker.kill();
        say('broker SIGKILLed');
        await sleep(1000);
        broker.start();
        watchRecovery('broker restart', GATEWAYS);
      },
    ]);
  }
  for (const s of [25, 45, 65, 85, 140]) {
    schedule.push([
      s,
      async () => {
        await ingest.kill();
        say('ingest SIGKILLed');
        await sleep(1000);
        ingest.start();
        watchRecovery('ingest restart', GATEWAYS);
      },
    ]);
  }
  schedule.push([
    48,
    async () => {
      await db.stop();
      say('PostgreSQL stopped');
      await sleep(6000);
      db = await startEmbeddedPostgres({ dataDir: join(work, 'pg'), port: pgPort });
      say('PostgreSQL started');
      watchRecovery('PostgreSQL restart', GATEWAYS);
    },
  ]);
  schedule.push([
    70,
    async () => {
      const edge = edges.get('gw-f2')!;
      await edge.kill();
      const killedAt = Date.now();
      say('edge agent gw-f2 SIGKILLed');
      await sleep(3000);
      edge.start();
      edgeKill = { killedAt, restartedAt: Date.now() };
      watchRecovery('edge agent restart', ['gw-f2']);
    },
  ]);
  schedule.push([100, async () => (proxy.cut(), say('edge <-> broker cut for 32 s'))]);
  schedule.push([132, async () => (proxy.restore(), watchRecovery('32 s link cut', GATEWAYS))]);
  schedule.sort((a, b) => a[0] - b[0]);
  // Faults run one after another in time order; long ones (the PostgreSQL stop) overlap the next.
  const running: Promise<void>[] = [];
  for (const [s, fault] of schedule) {
    await at(s);
    running.push(fault());
  }
  await Promise.all(running);
  await at(RUN_S);

  // End of the known sequence: stop the sources cleanly (their queues stay on disk), then
  // start the agents again on an idle device so they send what is left.
  say('stopping the sources; draining the queues');
  await Promise.all([...edges.values()].map((e) => e.stop()));
  const stoppedAt = Date.now();
  for (const [id, edge] of edges) edge.start([gatewayConfig(id, proxyPort, true)]);
  await waitForDrain(brokerPort, stoppedAt);
  say('queues drained');
  await sleep(2000);

  const expectation: Expectation = {
    gateways: GATEWAYS,
    tags: TAGS,
    stepMs: STEP_MS,
    // Readings are taken only while an agent runs: the slots while gw-f2 was dead were never taken.
    notTaken: edgeKill ? { 'gw-f2': edgeKill } : {},
  };
  const result = await verify(sql, expectation, say);
  const maxRecoveryMs = Math.max(0, ...recoveries);

  await Promise.all([...edges.values()].map((e) => e.stop()));
  await ingest.stop();
  await broker.stop();
  await proxy.stop();
  await sql.end();
  await db.stop();

  const failures = [...result.failures];
  if (recoveries.some((r) => !Number.isFinite(r))) failures.push('a fault did not recover');
  if (result.sent < 100_000) failures.push(`only ${result.sent} readings sent (need 100,000)`);
  for (const f of failures) console.log(`[faults] FAIL ${f}`);
  console.log(
    `faults: sent=${result.sent} stored=${result.stored} duplicates=${result.duplicates} lost=${result.lost} maxRecoveryMs=${Number.isFinite(maxRecoveryMs) ? maxRecoveryMs : -1}`,
  );
  return result.duplicates > 0 || result.lost > 0 || failures.length > 0 ? 1 : 0;
}

/** Until every gateway's status says its queue is empty, sent after `since`. */
async function waitForDrain(brokerPort: number, since: number): Promise<void> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, {
    clientId: `faults-watch-${process.pid}`,
    reconnectPeriod: 1000,
  });
  const empty = new Set<string>();
  await client.subscribeAsync('takt/v1/faults/+/status', { qos: 1 });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('queues did not drain within 180 s')), 180_000);
    client.on('message', (topic, payload) => {
      const status = statusPayloadSchema.safeParse(JSON.parse(payload.toString()));
      const gateway = topic.split('/')[3]!;
      if (status.success && status.data.ts > since && status.data.queue?.pending === 0)
        empty.add(gateway);
      if (GATEWAYS.every((g) => empty.has(g))) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await client.endAsync();
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`[faults] ERROR ${error.stack ?? error.message}`);
    console.log('faults: sent=0 stored=0 duplicates=0 lost=0 maxRecoveryMs=-1');
    process.exit(2);
  },
);
