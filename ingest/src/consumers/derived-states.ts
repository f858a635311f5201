import type { MachineState, PlantModel, StateRule } from '@takt/protocol';
import { stateFromCounts, stateFromSignal } from '../domain/derived-states';
import type { IngestPlugin } from '../http/types';

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
 */
export const derivedStatesPlugin: IngestPlugin = async (
  _app,
  { pool, log, onBatch, onStop, touch },
) => {
  const { rows } = await pool.query<{ definition: PlantModel }>(
    'SELECT definition FROM plant_models',
  );
  const rules = new Map<string, StateRule>();
  for (const { definition } of rows)
    for (const line of definition.lines)
      for (const m of line.machines) if (m.stateFrom) rules.set(m.id, m.stateFrom);
  if (rules.size === 0) return;

  const tracked = new Map<string, Tracked>();
  let chain: Promise<void> = Promise.resolve();

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

  const write = (list: StateRow[]) => {
    if (list.length === 0) return;
    chain = chain
      .then(async () => {
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
        touch(latest.keys());
      })
      .catch((error: Error) => log.error({ err: error.message }, 'derived states not written'));
  };

  onBatch((batch) => {
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
    write(out);
  });

  // No piece for a while sends no message: the clock turns a counting machine idle.
  const timer = setInterval(() => {
    const out: StateRow[] = [];
    const now = Date.now();
    for (const [machine, t] of tracked) {
      const rule = rules.get(machine)?.counts;
      if (!rule || t.state !== 'running') continue;
      const derived = stateFromCounts(t.lastPieceAt, now, rule);
      if (derived.state !== 'running') observe(out, machine, now, derived.state, derived.since);
    }
    write(out);
  }, 5000);
  onStop(async () => {
    clearInterval(timer);
    await chain;
  });
};
