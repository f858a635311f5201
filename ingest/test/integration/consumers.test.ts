import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics } from '@takt/protocol';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type IngestOptions, type RunningIngest } from '../../src';
import type { ConsumerAttempt } from '../../src/consumers/runner';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';

/*
 * Issue 16: a consumer's error is retried, and a commit whose consumer did not finish before
 * ingest stopped is caught up at the next start (docs/decisions.md "Issue 16 — consumers").
 * Failures come in through the runner's `beforeAttempt` seam; the database is real.
 */
const log = pino({ level: 'silent' });
const MIN = 60_000;

let broker: RunningBroker;
beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
});
afterAll(() => broker?.stop());

const mqttUrl = () => `mqtt://127.0.0.1:${broker.port}`;

function start(
  databaseUrl: string,
  clientId: string,
  consumers: IngestOptions['consumers'],
): Promise<RunningIngest> {
  return startIngest({
    databaseUrl,
    mqtt: { url: mqttUrl(), clientId },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../fixtures/production-plant.yaml'),
    batch: { maxItems: 100, maxDelayMs: 20 },
    consumers,
    log,
  });
}

async function api(ingest: RunningIngest, path: string, init: RequestInit = {}) {
  const auth = await signedIn(ingest.pool, 'manager');
  const headers = { ...auth, 'content-type': 'application/json' };
  const response = await fetch(`${ingest.url}${path}`, { ...init, headers });
  return (await response.json()) as Record<string, unknown>;
}

async function createOrder(ingest: RunningIngest, id: string) {
  await api(ingest, '/api/work-orders', {
    method: 'POST',
    body: JSON.stringify({
      id,
      product: 'part-a',
      quantity: 10,
      operations: [{ id: 'OP10', machine: 'mix-1' }],
    }),
  });
}

/** A start scan of the order's OP10 at mix-1, from a gateway of its own. */
async function scanStart(gatewayId: string, order: string) {
  const gw = await mqtt.connectAsync(mqttUrl());
  const payload = {
    v: 1 as const,
    seq: 1,
    ts: Date.now() - MIN,
    code: `${order}/OP10`,
    workOrder: order,
    operation: 'OP10',
    action: 'start',
  };
  await gw.publishAsync(
    topics.machine('prod-site', gatewayId, 'mix-1', 'scan'),
    encodePayload('scan', payload),
    { qos: 1 },
  );
  await gw.endAsync();
}

const opStatus = async (ingest: RunningIngest, order: string) =>
  (
    await ingest.pool.query<{ status: string }>(
      "SELECT status FROM work_order_operations WHERE work_order_id = $1 AND id = 'OP10'",
      [order],
    )
  ).rows[0]?.status;

/** Resolves with the first try of the work-orders consumer on a commit holding a scan. */
function firstScanAttempt() {
  let seen!: (attempt: ConsumerAttempt) => void;
  const entered = new Promise<ConsumerAttempt>((resolve) => (seen = resolve));
  const isScanCommit = (a: ConsumerAttempt) =>
    a.consumer === 'work-orders' && (a.event?.scans.length ?? 0) > 0;
  return { entered, seen, isScanCommit };
}

describe('post-commit consumers', () => {
  it('a work-orders update that fails once is retried and lands; the failure is counted', async () => {
    const { entered, seen, isScanCommit } = firstScanAttempt();
    const ingest = await start(await createTestDatabase('takt_consumers'), 'ingest-c1', {
      retry: { baseDelayMs: 10 },
      beforeAttempt: (a) => {
        if (!isScanCommit(a) || a.attempt > 1) return;
        seen(a);
        throw new Error('injected: the first try fails');
      },
    });
    try {
      await ingest.subscribed;
      await createOrder(ingest, 'WO-R');
      await scanStart('gw-c1', 'WO-R');
      await entered;
      // The order view waits for the work-orders consumer (its retry included).
      const view = (await api(ingest, '/api/work-orders/WO-R')) as {
        status: string;
        operations: { id: string; status: string }[];
      };
      expect(view.status).toBe('in_progress');
      expect(view.operations[0]).toMatchObject({ id: 'OP10', status: 'running' });
      const metrics = (await api(ingest, '/api/ingest/metrics')) as {
        consumers: Record<string, { failures: number; gaveUp: number; lastError: string }>;
      };
      expect(metrics.consumers['work-orders']).toMatchObject({
        failures: 1,
        gaveUp: 0,
        lastError: 'injected: the first try fails',
      });
    } finally {
      await ingest.stop();
    }
  });

  it('a commit whose work-orders update had not run when ingest stopped lands after restart', async () => {
    const databaseUrl = await createTestDatabase('takt_consumers');
    const { entered, seen, isScanCommit } = firstScanAttempt();
    // Held until ingest stops: the commit is durable, its consumer never finishes it.
    const first = await start(databaseUrl, 'ingest-c2', {
      beforeAttempt: async (a) => {
        if (!isScanCommit(a)) return;
        seen(a);
        if (!a.signal.aborted)
          await new Promise((resolve) => a.signal.addEventListener('abort', resolve));
        throw new Error('ingest stopped');
      },
    });
    try {
      await first.subscribed;
      await createOrder(first, 'WO-S');
      await scanStart('gw-c2', 'WO-S');
      await entered;
      const { rows } = await first.pool.query('SELECT 1 FROM scans WHERE work_order = $1', [
        'WO-S',
      ]);
      expect(rows).toHaveLength(1); // committed
      expect(await opStatus(first, 'WO-S')).not.toBe('running'); // its consumer is held
    } finally {
      await first.stop();
    }

    const second = await start(databaseUrl, 'ingest-c2', undefined);
    try {
      // The order view waits for the work-orders consumer, whose catch-up runs first.
      const view = (await api(second, '/api/work-orders/WO-S')) as {
        status: string;
        operations: { id: string; status: string }[];
      };
      expect(view.status).toBe('in_progress');
      expect(view.operations[0]).toMatchObject({ id: 'OP10', status: 'running' });
      const { rows } = await second.pool.query<{ commit_id: string; last: string }>(
        `SELECT p.commit_id, (SELECT max(id) FROM batch_commits) AS last
           FROM consumer_progress p WHERE consumer = 'work-orders' AND instance = 'ingest-c2'`,
      );
      expect(rows[0]!.commit_id).toBe(rows[0]!.last);
    } finally {
      await second.stop();
    }
  });
});
