import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics } from '@takt/protocol';
import mqtt from 'mqtt';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type IngestOptions } from '../../src';
import { missedCommits, pruneCommitLog } from '../../src/consumers/progress';
import type { ConsumerAttempt } from '../../src/consumers/runner';
import { migrate } from '../../src/db/migrate';
import { laneOf } from '../../src/pipeline/lanes';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';
import { waitFor } from '../helpers/wait';

/*
 * Writer lanes (docs/decisions.md "Issue 22 — writer lanes"): a gateway's messages always go
 * through the same lane, each lane logs its commits under its own name, and a durable
 * consumer's marks are per lane, so a commit one lane made while another lane's later commit
 * was finished is still redone after a stop.
 */
const log = pino({ level: 'silent' });
const MIN = 60_000;

/** The first gateway ids `gw-<prefix>-<n>` that land in lanes 0 and 1 of two. */
function gatewaysByLane(prefix: string): [string, string] {
  const found: (string | undefined)[] = [undefined, undefined];
  for (let n = 0; found.some((g) => g === undefined); n += 1) {
    const id = `gw-${prefix}-${n}`;
    const lane = laneOf({ kind: 'message', message: { gatewayId: id } } as never, 2);
    found[lane] ??= id;
  }
  return found as [string, string];
}

describe('the lane of a message', () => {
  it('is the same for a gateway every time, spreads gateways, and a rejected payload is lane 0', () => {
    const of = (gatewayId: string, lanes = 2) =>
      laneOf({ kind: 'message', message: { gatewayId } } as never, lanes);
    expect(of('gw-line-a')).toBe(of('gw-line-a'));
    const lanes = Array.from({ length: 40 }, (_, i) => of(`gw-${i}`));
    expect(new Set(lanes)).toEqual(new Set([0, 1]));
    expect(Array.from({ length: 40 }, (_, i) => of(`gw-${i}`, 1))).toEqual(Array(40).fill(0));
    expect(laneOf({ kind: 'dead', topic: 't', payload: Buffer.from('x'), reason: 'r' }, 2)).toBe(0);
  });
});

describe("a durable consumer's marks, per writer lane", () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await createTestDatabase('takt_lanes_marks') });
    await migrate(pool, log);
  });
  afterAll(() => pool?.end());

  const commit = async (instance: string, machine: string, fromIso: string) =>
    Number(
      (
        await pool.query<{ id: string }>(
          `INSERT INTO batch_commits (instance, machines, from_time) VALUES ($1, $2, $3) RETURNING id`,
          [instance, [machine], fromIso],
        )
      ).rows[0]!.id,
    );
  const mark = (consumer: string, instance: string, id: number) =>
    pool.query(
      `INSERT INTO consumer_progress (consumer, instance, commit_id) VALUES ($1, $2, $3)
       ON CONFLICT (consumer, instance) DO UPDATE SET commit_id = EXCLUDED.commit_id`,
      [consumer, instance, id],
    );

  it("redoes a lane's commit that committed after another lane's later-numbered one was done", async () => {
    // Lane 1 took id a, lane 0 took id b > a and committed first; its consumer finished b.
    const a = await commit('ing#w1', 'm-late', '2026-12-01T08:00:00Z');
    const b = await commit('ing', 'm-early', '2026-12-01T09:00:00Z');
    await mark('work-orders', 'ing', b);
    await mark('work-orders', 'ing#w1', a - 1);
    const missed = await missedCommits(pool, 'work-orders', 'ing');
    expect(missed).toEqual({
      fromMs: Date.parse('2026-12-01T08:00:00Z'),
      machines: new Set(['m-late']),
      marks: new Map([['ing#w1', a]]),
    });
    // Another instance's commits, and names that only look alike, are not this one's.
    await commit('ing-2#w1', 'm-other', '2026-12-01T07:00:00Z');
    await commit('ingw1', 'm-other', '2026-12-01T07:00:00Z');
    expect((await missedCommits(pool, 'work-orders', 'ing'))?.machines).toEqual(
      new Set(['m-late']),
    );
  });

  it('starts a consumer seen for the first time at every lane’s newest commit', async () => {
    await commit('fresh', 'm-1', '2026-12-01T08:00:00Z');
    const last1 = await commit('fresh#w1', 'm-2', '2026-12-01T08:00:00Z');
    expect(await missedCommits(pool, 'andon', 'fresh')).toBeNull();
    const marks = await pool.query<{ instance: string; commit_id: string }>(
      "SELECT instance, commit_id FROM consumer_progress WHERE consumer = 'andon' AND instance LIKE 'fresh%' ORDER BY instance",
    );
    expect(marks.rows.map((r) => [r.instance, Number(r.commit_id)])).toEqual([
      ['fresh', last1 - 1],
      ['fresh#w1', last1],
    ]);
    // A lane added later (no mark yet) is caught up from its first commit.
    const added = await commit('fresh#w2', 'm-3', '2026-12-01T10:00:00Z');
    expect((await missedCommits(pool, 'andon', 'fresh'))?.marks).toEqual(
      new Map([['fresh#w2', added]]),
    );
  });

  it("keeps a lane's commits that a consumer without a mark in that lane has not done", async () => {
    const a = await commit('kept#w1', 'm-1', '2026-12-01T08:00:00Z');
    const b = await commit('kept', 'm-1', '2026-12-01T08:00:00Z');
    await mark('work-orders', 'kept', b);
    await mark('andon', 'kept', b);
    await mark('andon', 'kept#w1', a); // andon is past lane 1's commit, work-orders is not
    await pruneCommitLog(pool, 14);
    const left = await pool.query<{ id: string }>(
      "SELECT id FROM batch_commits WHERE instance LIKE 'kept%' ORDER BY id",
    );
    expect(left.rows.map((r) => Number(r.id))).toEqual([a]);
    await mark('work-orders', 'kept#w1', a);
    await pruneCommitLog(pool, 14);
    expect(
      (await pool.query("SELECT 1 FROM batch_commits WHERE instance LIKE 'kept%'")).rowCount,
    ).toBe(0);
  });
});

describe('two writer lanes through the real pipeline', () => {
  let broker: RunningBroker;
  beforeAll(async () => {
    broker = await startBroker({
      host: '127.0.0.1',
      port: 0,
      users: [],
      allowAnonymous: true,
      log,
    });
  });
  afterAll(() => broker?.stop());
  const url = () => `mqtt://127.0.0.1:${broker.port}`;

  const start = (databaseUrl: string, consumers: IngestOptions['consumers']) =>
    startIngest({
      databaseUrl,
      mqtt: { url: url(), clientId: 'ingest-lanes' },
      http: { host: '127.0.0.1', port: 0 },
      plantFile: join(import.meta.dirname, '../fixtures/production-plant.yaml'),
      batch: { maxItems: 100, maxDelayMs: 20, writers: 2 },
      consumers,
      log,
    });

  it('stores each gateway through its lane, logs both lanes, and a held lane-1 commit lands after restart', async () => {
    const databaseUrl = await createTestDatabase('takt_lanes');
    const [gw0, gw1] = gatewaysByLane('lanes');
    let entered!: () => void;
    const held = new Promise<void>((resolve) => (entered = resolve));
    const first = await start(databaseUrl, {
      // The work-orders consumer never finishes lane 1's scan commit: ingest stops meanwhile.
      beforeAttempt: async (a: ConsumerAttempt) => {
        if (a.consumer !== 'work-orders' || (a.event?.scans.length ?? 0) === 0) return;
        entered();
        if (!a.signal.aborted)
          await new Promise((resolve) => a.signal.addEventListener('abort', resolve));
        throw new Error('ingest stopped');
      },
    });
    const auth = await signedIn(first.pool, 'manager');
    const client = await mqtt.connectAsync(url());
    try {
      await first.subscribed;
      const created = await fetch(`${first.url}/api/work-orders`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: 'WO-LANE',
          product: 'part-a',
          quantity: 10,
          operations: [{ id: 'OP10', machine: 'mix-1' }],
        }),
      });
      expect(created.status).toBe(201);
      // Lane 0: counts of cnt-1, 20 messages; lane 1: the scan that starts WO-LANE on mix-1.
      for (let seq = 1; seq <= 20; seq += 1)
        await client.publishAsync(
          topics.machine('prod-site', gw0, 'cnt-1', 'count'),
          encodePayload('count', { v: 1, seq, ts: Date.now() - MIN + seq, good: seq, reject: 0 }),
          { qos: 1 },
        );
      await client.publishAsync(
        topics.machine('prod-site', gw1, 'mix-1', 'scan'),
        encodePayload('scan', {
          v: 1,
          seq: 1,
          ts: Date.now() - MIN,
          code: 'WO-LANE/OP10',
          workOrder: 'WO-LANE',
          operation: 'OP10',
          action: 'start',
        }),
        { qos: 1 },
      );
      await held;
      // Lane 0 went on writing while lane 1's consumer was held.
      await waitFor('the 20 counts of lane 0', async () => {
        const { rows } = await first.pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM counts WHERE machine_id = 'cnt-1'",
        );
        return Number(rows[0]!.n) === 20 || undefined;
      });
      // Both lanes logged their commits (lane 0 only once its counts are in: the lanes run side by side).
      const logs = await first.pool.query<{ instance: string; n: string }>(
        'SELECT instance, count(*) AS n FROM batch_commits GROUP BY instance ORDER BY instance',
      );
      expect(logs.rows.map((r) => r.instance)).toEqual(['ingest-lanes', 'ingest-lanes#w1']);
    } finally {
      await client.endAsync();
      await first.stop();
    }

    const second = await start(databaseUrl, undefined);
    try {
      const view = await fetch(`${second.url}/api/work-orders/WO-LANE`, { headers: auth });
      expect(((await view.json()) as { status: string }).status).toBe('in_progress');
      // No lane has a commit left after its mark (the log may be pruned past it already).
      // Polled: the second instance's own lane 0 may commit again (a gateway status) just
      // before its consumer marks it.
      const marksReached = async () => {
        const { rows } = await second.pool.query<{ instance: string; reached: boolean }>(
          `SELECT p.instance, NOT EXISTS (SELECT 1 FROM batch_commits c
                                           WHERE c.instance = p.instance AND c.id > p.commit_id) AS reached
             FROM consumer_progress p WHERE p.consumer = 'work-orders' ORDER BY p.instance`,
        );
        return rows.map((r) => [r.instance, r.reached]);
      };
      const expected = [
        ['ingest-lanes', true],
        ['ingest-lanes#w1', true],
      ];
      await waitFor('both lanes marked to their newest commit', async () =>
        JSON.stringify(await marksReached()) === JSON.stringify(expected) ? true : undefined,
      ).catch(() => undefined);
      expect(await marksReached()).toEqual(expected);
    } finally {
      await second.stop();
    }
  });
});
