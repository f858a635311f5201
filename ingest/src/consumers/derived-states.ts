import type { MachineState, PlantModel, StateRule } from '@takt/protocol';
import type { Pool } from 'pg';
import { stateFromCounts, stateFromSignal } from '../domain/derived-states';
import type { BatchCommitted, Consumer, ConsumerContext } from './types';

/** Derived rows are stored under this gateway id, which no real gateway can have. */
export const DERIVED_GATEWAY = '~derived';
/** Re-written this often while unchanged, like the edge's heartbeat (states go stale after 3 min). */
const HEARTBEAT_MS = 60_000;

interface Tracked {
  state: MachineState;
  writtenAt: number;
  lastPieceAt: number | null;
}

interface StateRow {
  machine: string;
  ts: number;
  state: MachineState;
}

/**
 * States of machines whose PLC has no state code, from the plant model's `stateFrom`: a
 * signal against a limit, or count activity (domain/derived-states.ts). Written to
 * `machine_states` like the edge's, so OEE, timelines and boards read them the same way.
 * Not durable: the tracker lives in memory and starts again from the next reading.
 */
export function derivedStatesConsumer(): Consumer {
  const rules = new Map<string, StateRule>();
  let tracked = new Map<string, Tracked>();
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let ctx: ConsumerContext;

  const observe = (
    out: StateRow[],
    machine: string,
    ts: number,
    state: MachineState,
    since = ts,
  ) => {
    const t = tracked.get(machine);
    if (!t || t.state !== state) out.push({ machine, ts: since, state });
    else if (ts - t.writtenAt >= HEARTBEAT_MS) out.push({ machine, ts, state });
    else return;
    tracked.set(machine, { state, writtenAt: ts, lastPieceAt: t?.lastPieceAt ?? null });
  };

  /** Writes in order (batches and the clock); resolves when these rows are stored. */
  const write = (list: StateRow[]): Promise<void> => {
    if (list.length === 0) return Promise.resolve();
    const written = chain.then(() => store(ctx.pool, list));
    chain = written.then(
      (machines) => ctx.machinesChanged({ machines, by: 'derived-states' }),
      () => undefined,
    );
    return written.then(() => undefined);
  };

  const onCommitted = (batch: BatchCommitted): Promise<void> => {
    const out: StateRow[] = [];
    for (const m of batch.metrics) {
      const rule = rules.get(m.machineId)?.signal;
      if (!rule) continue;
      for (const r of [...m.payload.readings].sort((a, b) => a.ts - b.ts))
        if (r.tag === rule.tag && typeof r.value === 'number' && r.quality === 'good')
          observe(out, m.machineId, r.ts, stateFromSignal(r.value, rule));
    }
    for (const c of [...batch.counts].sort((a, b) => a.ts - b.ts)) {
      const rule = rules.get(c.machine)?.counts;
      if (!rule) continue;
      const t = tracked.get(c.machine);
      const lastPieceAt = c.good + c.reject > 0 ? c.ts : (t?.lastPieceAt ?? null);
      if (t) t.lastPieceAt = lastPieceAt;
      const derived = stateFromCounts(lastPieceAt, c.ts, rule);
      observe(out, c.machine, c.ts, derived.state, Math.max(derived.since, t?.writtenAt ?? 0));
      tracked.get(c.machine)!.lastPieceAt = lastPieceAt;
    }
    return write(out);
  };

  // No piece for a while sends no message: the clock turns a counting machine idle.
  const tick = () => {
    const out: StateRow[] = [];
    const now = Date.now();
    for (const [machine, t] of tracked) {
      const rule = rules.get(machine)?.counts;
      if (!rule || t.state !== 'running') continue;
      const derived = stateFromCounts(t.lastPieceAt, now, rule);
      if (derived.state !== 'running') observe(out, machine, now, derived.state, derived.since);
    }
    write(out).catch((error: Error) =>
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
      for (const { definition } of rows)
        for (const line of definition.lines)
          for (const m of line.machines) if (m.stateFrom) rules.set(m.id, m.stateFrom);
      if (rules.size > 0) timer = setInterval(tick, 5000);
    },
    async onCommitted(batch) {
      if (rules.size === 0) return;
      // A failed write is retried with the same batch: the tracker goes back to before it.
      const before = new Map([...tracked].map(([id, t]) => [id, { ...t }]));
      try {
        await onCommitted(batch);
      } catch (error) {
        tracked = before;
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
async function store(pool: Pool, list: StateRow[]): Promise<Set<string>> {
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
