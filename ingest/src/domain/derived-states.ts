import type { MachineState, PlantModel, StateRule } from '@takt/protocol';

/**
 * Machine state for machines whose PLC gives no state code (docs/production-model.md: state from the
 * PLC *and counts*): from a signal against a limit (spindle speed above 100 rpm: running),
 * or from count activity (pieces coming: running; none for `idleAfterS`: idle). Pure.
 */
export interface DerivedState {
  state: MachineState;
  /** Edge time the state began. */
  since: number;
}

/** A signal's value -> state: above `runningAbove` runs (below `reducedBelow`: reduced speed), else idle. */
export function stateFromSignal(
  value: number,
  rule: NonNullable<StateRule['signal']>,
): MachineState {
  if (!(value > rule.runningAbove)) return 'idle';
  return rule.reducedBelow !== undefined && value < rule.reducedBelow ? 'reduced_speed' : 'running';
}

/**
 * Count activity at `ts`: running when the last piece came less than `idleAfterS` before,
 * else idle since the last piece + `idleAfterS` (or since `ts` when no piece was ever seen).
 */
export function stateFromCounts(
  lastPieceAt: number | null,
  ts: number,
  rule: NonNullable<StateRule['counts']>,
): DerivedState {
  const idleAfterMs = rule.idleAfterS * 1000;
  if (lastPieceAt !== null && ts - lastPieceAt < idleAfterMs)
    return { state: 'running', since: lastPieceAt };
  return { state: 'idle', since: lastPieceAt === null ? ts : lastPieceAt + idleAfterMs };
}

/** A derived state to store: `machine` is in `state` from `ts` (edge time). */
export interface DerivedStateRow {
  machine: string;
  ts: number;
  state: MachineState;
}

/** Re-written this often while unchanged, like the edge's heartbeat (states go stale after 3 min). */
export const DERIVED_HEARTBEAT_MS = 60_000;

/** The machines whose state is derived, with their plant model's `stateFrom`. */
export function stateRules(plants: readonly Pick<PlantModel, 'lines'>[]): Map<string, StateRule> {
  const rules = new Map<string, StateRule>();
  for (const plant of plants)
    for (const line of plant.lines)
      for (const m of line.machines) if (m.stateFrom) rules.set(m.id, m.stateFrom);
  return rules;
}

/** What a committed batch brings the tracker (structurally the writer's metrics and counts). */
export interface TrackerBatch {
  metrics: readonly {
    machineId: string;
    payload: { readings: readonly { tag: string; value: unknown; ts: number; quality: string }[] };
  }[];
  counts: readonly { machine: string; ts: number; good: number; reject: number }[];
}

interface Tracked {
  state: MachineState;
  writtenAt: number;
  lastPieceAt: number | null;
}

/** A copy of the tracker's memory (`save` / `restore`). */
export type TrackerMemory = ReadonlyMap<string, Readonly<Tracked>>;

/**
 * The state machine behind derived states, pure: batches and the clock (`tick(now)`) come
 * in as arguments, the rows to store come out. A row is written when a machine's state
 * changes (at the time it began) and, while unchanged, once per heartbeat, so a derived
 * state does not go stale on the boards.
 */
export class DerivedStateTracker {
  private readonly tracked = new Map<string, Tracked>();

  constructor(
    private readonly rules: ReadonlyMap<string, StateRule>,
    private readonly heartbeatMs = DERIVED_HEARTBEAT_MS,
  ) {}

  /** The rows one committed batch makes: signals against their limit, then count activity. */
  batch({ metrics, counts }: TrackerBatch): DerivedStateRow[] {
    const out: DerivedStateRow[] = [];
    for (const m of metrics) {
      const rule = this.rules.get(m.machineId)?.signal;
      if (!rule) continue;
      for (const r of [...m.payload.readings].sort((a, b) => a.ts - b.ts))
        if (r.tag === rule.tag && typeof r.value === 'number' && r.quality === 'good')
          this.observe(out, m.machineId, r.ts, stateFromSignal(r.value, rule));
    }
    for (const c of [...counts].sort((a, b) => a.ts - b.ts)) {
      const rule = this.rules.get(c.machine)?.counts;
      if (!rule) continue;
      const t = this.tracked.get(c.machine);
      const lastPieceAt = c.good + c.reject > 0 ? c.ts : (t?.lastPieceAt ?? null);
      if (t) t.lastPieceAt = lastPieceAt;
      const derived = stateFromCounts(lastPieceAt, c.ts, rule);
      this.observe(out, c.machine, c.ts, derived.state, Math.max(derived.since, t?.writtenAt ?? 0));
      this.tracked.get(c.machine)!.lastPieceAt = lastPieceAt;
    }
    return out;
  }

  /** What the tracker holds now, to put it back if the rows of a batch could not be stored. */
  save(): TrackerMemory {
    return new Map([...this.tracked].map(([id, t]) => [id, { ...t }]));
  }

  /** Back to a saved memory: the batch after it is then judged again, as if never seen. */
  restore(memory: TrackerMemory): void {
    this.tracked.clear();
    for (const [id, t] of memory) this.tracked.set(id, { ...t });
  }

  /** The clock: no piece for a while sends no message, so `now` turns a counting machine idle. */
  tick(now: number): DerivedStateRow[] {
    const out: DerivedStateRow[] = [];
    for (const [machine, t] of this.tracked) {
      const rule = this.rules.get(machine)?.counts;
      if (!rule || t.state !== 'running') continue;
      const derived = stateFromCounts(t.lastPieceAt, now, rule);
      if (derived.state !== 'running')
        this.observe(out, machine, now, derived.state, derived.since);
    }
    return out;
  }

  private observe(
    out: DerivedStateRow[],
    machine: string,
    ts: number,
    state: MachineState,
    since = ts,
  ) {
    const t = this.tracked.get(machine);
    if (!t || t.state !== state) out.push({ machine, ts: since, state });
    else if (ts - t.writtenAt >= this.heartbeatMs) out.push({ machine, ts, state });
    else return;
    this.tracked.set(machine, { state, writtenAt: ts, lastPieceAt: t?.lastPieceAt ?? null });
  }
}
