import type { PlantModel } from '@takt/protocol';
import type { Pool } from 'pg';
import { DerivedStateTracker, stateRules, type DerivedStateRow } from '../domain/derived-states';
import type { BatchCommitted, Consumer, ConsumerContext } from './types';

/** Derived rows are stored under this gateway id, which no real gateway can have. */
export const DERIVED_GATEWAY = '~derived';
/** How often the clock is read to turn a counting machine idle when no piece comes. */
const TICK_MS = 5000;

/**
 * States of machines whose PLC has no state code, from the plant model's `stateFrom`: the
 * pure `DerivedStateTracker` (domain/derived-states.ts) judges batches and the clock; this
 * shell feeds it and stores its rows in `machine_states` like the edge's, so OEE, timelines
 * and boards read them the same way. The clock is the service's (`ctx.now`).
 * Not durable: the tracker lives in memory and starts again from the next reading.
 */
export function derivedStatesConsumer(): Consumer {
  let tracker: DerivedStateTracker | undefined;
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let ctx: ConsumerContext;

  /** Writes in order (batches and the clock); resolves when these rows are stored. */
  const write = (list: DerivedStateRow[]): Promise<void> => {
    if (list.length === 0) return Promise.resolve();
    const written = chain.then(() => store(ctx.pool, list));
    chain = written.then(
      (machines) => ctx.machinesChanged({ machines, by: 'derived-states' }),
      () => undefined,
    );
    return written.then(() => undefined);
  };

  const tick = () => {
    write(tracker!.tick(ctx.now())).catch((error: Error) =>
      ctx.log.error({ err: error.message }, 'derived states not written'),
    );
  };

  return {
    name: 'derived-states',
    async start(context) {
      ctx = context;
      const { rows } = await ctx.pool.query<{ definition: PlantModel }>(
        'SELECT definition FROM plant_models',
      );
      const rules = stateRules(rows.map((r) => r.definition));
      if (rules.size === 0) return;
      tracker = new DerivedStateTracker(rules);
      timer = setInterval(tick, TICK_MS);
    },
    async onCommitted(batch: BatchCommitted) {
      if (!tracker) return;
      // A failed write is retried with the same batch: the tracker goes back to before it.
      const before = tracker.save();
      try {
        await write(tracker.batch(batch));
      } catch (error) {
        tracker.restore(before);
        throw error;
      }
    },
    async stop() {
      clearInterval(timer);
      await chain;
    },
  };
}

/** The rows, and each machine's latest as its current state; returns the machines changed. */
async function store(pool: Pool, list: DerivedStateRow[]): Promise<Set<string>> {
  await pool.query(
    `INSERT INTO machine_states (time, machine_id, state, gateway_id, seq)
     SELECT u.t, u.m, u.s, $4, 0 FROM unnest($1::timestamptz[], $2::text[], $3::text[]) AS u(t, m, s)`,
    [
      list.map((r) => new Date(r.ts)),
      list.map((r) => r.machine),
      list.map((r) => r.state),
      DERIVED_GATEWAY,
    ],
  );
  const latest = new Map(list.map((r) => [r.machine, r]));
  for (const r of latest.values())
    await pool.query(
      `UPDATE machines SET state = $2, state_code = NULL, state_reason = NULL, state_at = $3,
              state_since = CASE WHEN state IS DISTINCT FROM $2 THEN $3 ELSE coalesce(state_since, $3) END
        WHERE id = $1 AND (state_at IS NULL OR state_at <= $3)`,
      [r.machine, r.state, new Date(r.ts)],
    );
  return new Set(latest.keys());
}
