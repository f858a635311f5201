import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConsumerRunner, joinCommits } from '../../src/consumers/runner';
import type { BatchCommitted, Consumer } from '../../src/consumers/types';

/*
 * A coalescing consumer (work orders: docs/decisions.md "Issue 22 — work orders coalesce
 * waiting commits") gets the commits that queued up while it worked as one, in commit order,
 * and records every lane's mark of them; the others still get each commit.
 */
const commit = (id: number, log: string, scan: string): BatchCommitted => ({
  commitId: id,
  log,
  committedAt: id,
  machines: new Set([`m-${scan}`]),
  scans: [{ machineId: `m-${scan}`, payload: { ts: id } }] as never,
  counts: [],
  metrics: [],
  states: [],
  messages: [],
});

/** A pool that answers every query with no rows and keeps the progress statements' values. */
function fakePool() {
  const progress: unknown[][] = [];
  return {
    progress,
    pool: {
      query: async (text: string, values?: unknown[]) => {
        if (text.includes('INSERT INTO consumer_progress') && text.includes('unnest'))
          progress.push(values ?? []);
        return { rows: [], rowCount: 0 };
      },
    },
  };
}

function recording(name: string, coalesces: boolean) {
  const seen: BatchCommitted[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const consumer: Consumer = {
    name,
    coalesces,
    async start() {},
    async onCommitted(event) {
      seen.push(event);
      if (seen.length === 1) await gate; // the first commit holds the lane
    },
    async catchUp() {},
    async stop() {},
  };
  return { consumer, seen, release };
}

describe('commits waiting for a coalescing consumer', () => {
  it('are handled as one, in commit order, with every lane’s newest mark; others get each', async () => {
    const orders = recording('work-orders', true);
    const live = recording('live', false);
    const { pool, progress } = fakePool();
    const runner = new ConsumerRunner([() => orders.consumer, () => live.consumer], {
      instance: 'i',
    });
    await runner.start({ pool, log: pino({ level: 'silent' }) } as never);
    runner.publish(commit(1, 'i', 'a'));
    await new Promise((r) => setImmediate(r)); // the first has started (and holds the lane)
    for (const e of [commit(2, 'i', 'b'), commit(3, 'i#w1', 'c'), commit(4, 'i', 'd')])
      runner.publish(e);
    await new Promise((r) => setImmediate(r));
    expect(orders.seen).toHaveLength(1);
    expect(runner.snapshot()['work-orders']!.pending).toBe(2); // the first, and the rest as one
    orders.release();
    live.release();
    await runner.settled('work-orders');
    await runner.settled('live');
    expect(orders.seen).toHaveLength(2);
    expect(orders.seen[1]!.scans.map((s) => s.machineId)).toEqual(['m-b', 'm-c', 'm-d']);
    expect([...orders.seen[1]!.machines]).toEqual(['m-b', 'm-c', 'm-d']);
    expect(live.seen.map((e) => e.commitId)).toEqual([1, 2, 3, 4]);
    // The joined job's marks: lane 0 up to 4, lane 1 up to 3, in one statement.
    const marks = progress.map(([consumers, logs, ids]) =>
      (consumers as string[]).map(
        (c, i) => `${c} ${(logs as string[])[i]} ${(ids as number[])[i]}`,
      ),
    );
    expect(marks.flat()).toEqual(
      expect.arrayContaining(['work-orders i 1', 'work-orders i 4', 'work-orders i#w1 3']),
    );
  });

  it('joins two commits as the second following the first', () => {
    const joined = joinCommits(commit(5, 'i#w1', 'x'), { ...commit(6, 'i', 'y'), commitId: null });
    expect(joined).toMatchObject({ commitId: 5, log: 'i#w1', committedAt: 6 });
    expect(joined.scans.map((s) => s.machineId)).toEqual(['m-x', 'm-y']);
  });
});
