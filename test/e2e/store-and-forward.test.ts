import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { startEdgeAgent } from '@takt/edge-agent';
import { startIngest, type RunningIngest } from '@takt/ingest';
import { gatewayConfigSchema, type GatewayConfig } from '@takt/protocol';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/db';
import { testLog } from '../helpers/logger';
import { waitFor } from '../helpers/wait';

/**
 * Issue 4: store-and-forward with ingest's ack. Everything in this process (the fault suite,
 * `npm run test:faults`, does the same with SIGKILLed child processes).
 */
let broker: RunningBroker;
let ingest: RunningIngest;
let port: number;
let databaseUrl: string;
const tmp = mkdtempSync(join(tmpdir(), 'takt-saf-'));

const startTestBroker = (p: number) =>
  startBroker({ host: '127.0.0.1', port: p, users: [], allowAnonymous: true, log: testLog });

const gateway = (id: string): GatewayConfig =>
  gatewayConfigSchema.parse({
    gateway: { id, site: 'saf' },
    mqtt: { url: `mqtt://127.0.0.1:${port}` },
    stateDir: join(tmp, 'edge'),
    queue: { ackTimeoutMs: 2000, fsync: 'always' },
    devices: [
      {
        id: 'sim-1',
        driver: 'simulated',
        machine: 'saf-m1',
        pollIntervalMs: 50,
        tags: [
          { name: 'a', channel: 'metric', signal: { kind: 'counter', perMinute: 600_000 } },
          { name: 'b', channel: 'metric', signal: { kind: 'counter', perMinute: 1_200_000 } },
        ],
      },
    ],
  });

beforeAll(async () => {
  broker = await startTestBroker(0);
  port = broker.port;
  databaseUrl = await createTestDatabase();
  ingest = await startIngest({
    databaseUrl,
    mqtt: { url: `mqtt://127.0.0.1:${port}`, clientId: 'ingest-saf' },
    http: { host: '127.0.0.1', port: 0 },
    batch: { maxItems: 500, maxDelayMs: 50 },
    log: testLog,
  });
  await ingest.subscribed;
});
afterAll(async () => {
  await ingest?.stop();
  await broker?.stop();
});

const seqsOf = async (gatewayId: string) =>
  (
    await ingest.pool.query<{ seq: string }>(
      'SELECT seq FROM received_messages WHERE gateway_id = $1 ORDER BY seq',
      [gatewayId],
    )
  ).rows.map((r) => Number(r.seq));

describe('store-and-forward with end-to-end ack', () => {
  it('stores every message exactly once across a broker restart and an agent restart', async () => {
    const config = gateway('gw-saf-1');
    let edge = await startEdgeAgent(config, { log: testLog });
    await waitFor('first messages stored', async () =>
      (await seqsOf('gw-saf-1')).length > 10 ? true : undefined,
    );
    // Acks come back: the queue does not grow while the link is up.
    await waitFor('the queue to be acknowledged', () =>
      edge.queueStats().pending < 20 ? true : undefined,
    );

    // The broker goes away (in-memory sessions and retained messages lost) until the edge has
    // kept more than 20 messages on disk (about a second of polls; longer on a busy machine).
    await broker.stop();
    await waitFor('messages kept on disk meanwhile', () =>
      edge.queueStats().pending > 20 ? true : undefined,
    );
    broker = await startTestBroker(port);
    await waitFor(
      'the backlog to drain after the broker restart',
      () => (edge.queueStats().pending < 20 ? true : undefined),
      20_000,
    );

    // A stop with messages unacknowledged, then a start from the same disk queue.
    await edge.stop();
    const afterStop = await seqsOf('gw-saf-1');
    edge = await startEdgeAgent(config, { log: testLog });
    await waitFor('the second run to report', async () =>
      (await seqsOf('gw-saf-1')).length > afterStop.length + 20 ? true : undefined,
    );
    await edge.stop();
    edge = await startEdgeAgent(config, { log: testLog });
    await waitFor(
      'the queue to be empty',
      () => (edge.queueStats().pending === 0 ? true : undefined),
      20_000,
    );
    await edge.stop(); // may leave a few from its last poll
    edge = await startEdgeAgent({ ...config, devices: config.devices }, { log: testLog });
    await edge.stop();

    const seqs = await seqsOf('gw-saf-1');
    // Seqs within one run are consecutive; each restart skips to a new reserved block.
    const runs: number[][] = [];
    for (const seq of seqs) {
      const run = runs[runs.length - 1];
      if (run && seq === run[run.length - 1]! + 1) run.push(seq);
      else runs.push([seq]);
    }
    expect(runs.length).toBeLessThanOrEqual(4);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    // Each message one row per tag: nothing stored twice.
    const { rows } = await ingest.pool.query<{ n: string; distinct: string }>(
      `SELECT count(*) AS n, count(DISTINCT (tag, time)) AS distinct FROM samples WHERE machine_id = 'saf-m1'`,
    );
    expect(rows[0]!.n).toBe(rows[0]!.distinct);
    expect(Number(rows[0]!.n)).toBeGreaterThan(seqs.length); // two tags per message, mostly
  }, 90_000);

  it('holds no more than maxQueued in memory while PostgreSQL is stuck, then drains', async () => {
    const url = `mqtt://127.0.0.1:${port}`;
    const slow = await startIngest({
      databaseUrl,
      mqtt: { url, clientId: 'ingest-saf-slow' },
      http: { host: '127.0.0.1', port: 0 },
      batch: { maxItems: 50, maxDelayMs: 20 },
      maxQueued: 100,
      log: testLog,
    });
    await slow.subscribed;
    // Stop the main ingest so that only the slow one acks.
    await ingest.stop();
    const locker = new pg.Client({ connectionString: databaseUrl });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE received_messages IN ACCESS EXCLUSIVE MODE');
    const config = gateway('gw-saf-2');
    const edge = await startEdgeAgent(
      { ...config, stateDir: join(tmp, 'edge-2') },
      { log: testLog },
    );
    // Watched every 50 ms: it fills up, the edge holds the rest, and a second more changes
    // nothing (conditions, not a fixed time: a busy machine only makes them come later).
    let maxSeen = 0;
    const watch = () => (maxSeen = Math.max(maxSeen, slow.queued()));
    await waitFor(
      'the slow ingest full and the edge holding the rest',
      () => (watch() > 50 && edge.queueStats().pending > 60 ? true : undefined),
      30_000,
      50,
    );
    for (let i = 0; i < 20; i++) {
      watch();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(maxSeen).toBeGreaterThan(50); // it did fill up…
    expect(maxSeen).toBeLessThanOrEqual(101); // …to the bound and no further
    expect(edge.queueStats().pending).toBeGreaterThan(60); // the edge holds the rest
    await locker.query('ROLLBACK');
    await locker.end();
    await waitFor(
      'the edge queue to drain once the database is back',
      () => (edge.queueStats().pending < 20 ? true : undefined),
      20_000,
    );
    await edge.stop();
    await slow.stop();
    ingest = await startIngest({
      databaseUrl,
      mqtt: { url, clientId: 'ingest-saf' },
      http: { host: '127.0.0.1', port: 0 },
      log: testLog,
    });
  }, 60_000);
});
