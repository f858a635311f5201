import { intersect, measure, subtract, type Interval } from './intervals';
import { isDownStop, type StateInterval } from './machine-time';

export interface DowntimeEntry {
  /** The stop's reason code, or `unassigned` (a stop nobody has explained yet). */
  reason: string;
  state: string;
  durationMs: number;
  stops: number;
}

/**
 * Downtime Pareto: unplanned stops inside planned time, longest first, grouped by state and
 * reason. Stops whose planned part is shorter than the microstop threshold are left out
 * (they are a performance loss, not downtime), except `unknown`, which always counts; the
 * same rule as `accountTime`, so the Pareto adds up to its down time.
 */
export function downtimePareto(
  states: readonly StateInterval[],
  planned: readonly Interval[],
  microstopThresholdMs: number,
): DowntimeEntry[] {
  const entries: DowntimeEntry[] = [];
  for (const s of states) {
    const durationMs = measure(intersect([s], planned));
    if (durationMs > 0 && isDownStop(s.state, durationMs, microstopThresholdMs))
      entries.push({ reason: s.reason ?? 'unassigned', state: s.state, durationMs, stops: 1 });
  }
  return mergeDowntime(entries);
}

/** Entries of one state and reason added up (stops and time), longest first. */
export function mergeDowntime(entries: readonly DowntimeEntry[]): DowntimeEntry[] {
  const byKey = new Map<string, DowntimeEntry>();
  for (const e of entries) {
    const key = `${e.state}\u0000${e.reason}`;
    const sum = byKey.get(key) ?? { reason: e.reason, state: e.state, durationMs: 0, stops: 0 };
    sum.durationMs += e.durationMs;
    sum.stops += e.stops;
    byKey.set(key, sum);
  }
  return [...byKey.values()].sort(
    (a, b) => b.durationMs - a.durationMs || a.reason.localeCompare(b.reason),
  );
}

export interface HourOutput {
  hourStart: number;
  actual: number;
  /** What the ideal cycle time allows in the planned part of that hour. */
  target: number | null;
}

/** Time a work order ran on the machine, with its product's ideal cycle there. */
export interface ProductRun extends Interval {
  idealCycleMs: number | null;
}

/**
 * Target vs actual output per hour: good pieces counted per hour beside what the ideal cycle
 * allows in the planned part of the hour. Planned time while an order ran counts at that
 * order's product's ideal cycle, the rest at the machine's default product's, so an hour of
 * two orders gets a pro-rata target (docs/production-model.md). Null when planned time in
 * the hour has no ideal cycle to go by.
 */
export function outputPerHour(
  from: number,
  to: number,
  planned: readonly Interval[],
  goodByHour: ReadonlyMap<number, number>,
  idealCycleMs: number | null,
  runs: readonly ProductRun[] = [],
): HourOutput[] {
  const hour = 3_600_000;
  const out: HourOutput[] = [];
  for (let h = Math.floor(from / hour) * hour; h < to; h += hour) {
    let rest = intersect([{ from: Math.max(h, from), to: Math.min(h + hour, to) }], planned);
    const parts: { ms: number; idealCycleMs: number | null }[] = [];
    for (const run of runs) {
      parts.push({ ms: measure(intersect(rest, [run])), idealCycleMs: run.idealCycleMs });
      rest = subtract(rest, [run]);
    }
    parts.push({ ms: measure(rest), idealCycleMs });
    const used = parts.filter((p) => p.ms > 0);
    const target = used.every((p) => p.idealCycleMs)
      ? Math.floor(used.reduce((s, p) => s + p.ms / p.idealCycleMs!, 0))
      : null;
    out.push({ hourStart: h, actual: goodByHour.get(h) ?? 0, target });
  }
  return out;
}

/**
 * Machines' hours added hour by hour (a line's output): the pieces, and the targets of the
 * machines that have one (null when none has).
 */
export function sumHours(lists: readonly (readonly HourOutput[])[]): HourOutput[] {
  const byHour = new Map<number, HourOutput>();
  for (const list of lists)
    for (const h of list) {
      const row = byHour.get(h.hourStart) ?? { hourStart: h.hourStart, actual: 0, target: null };
      row.actual += h.actual;
      if (h.target !== null) row.target = (row.target ?? 0) + h.target;
      byHour.set(h.hourStart, row);
    }
  return [...byHour.values()].sort((a, b) => a.hourStart - b.hourStart);
}
