/**
 * The weekly KPI board's figures as pure functions (docs/architecture.md "Conventions" 4):
 * plant weeks (Monday start, in the plant's time zone), this week against the mean of the
 * weeks before it, and the reject-reason Pareto (docs/decisions.md "Issue 19 — KPI board and
 * quality on analytics").
 */
import { plantDate, zonedTimeToUtc } from './shifts';

/** One plant week: `start` is its Monday (YYYY-MM-DD, plant calendar). */
export interface PlantWeek {
  start: string;
  from: number;
  /** The next Monday's midnight, or `now` for the week under way. */
  to: number;
}

const addDays = (date: string, days: number) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
};
const midnight = (date: string, timeZone: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return zonedTimeToUtc({ y, m, d }, '00:00', timeZone);
};

/** The Monday (YYYY-MM-DD) of the plant week holding `instant`. */
export function mondayOf(instant: number, timeZone: string): string {
  const date = plantDate(instant, timeZone);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7; // Monday 0
  return addDays(date, -weekday);
}

/**
 * The last `count` plant weeks, oldest first; the last is the week under way, cut at `now`
 * (DST-aware: a week is 167 or 169 hours across a change).
 */
export function plantWeeks(now: number, timeZone: string, count: number): PlantWeek[] {
  const current = mondayOf(now, timeZone);
  const out: PlantWeek[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const start = addDays(current, -7 * i);
    const from = midnight(start, timeZone);
    const to = i === 0 ? now : midnight(addDays(start, 7), timeZone);
    out.push({ start, from, to: Math.max(from, to) });
  }
  return out;
}

/** This week's value against the mean of the weeks before it. */
export interface KpiTrend {
  current: number | null;
  /** Mean of the earlier weeks that have a value; null when none has. */
  mean: number | null;
  /** current − mean; null when either is missing. */
  delta: number | null;
  /** Whether the change is for the better (a flat change counts as neither). */
  better: boolean | null;
}

/**
 * `values` oldest first, the last being this week. A change smaller than `flat` (absolute)
 * is no change: an arrow that flips on noise trains a reader to ignore it.
 */
export function trendOf(
  values: readonly (number | null)[],
  higherIsBetter: boolean,
  flat = 1e-9,
): KpiTrend {
  const current = values.at(-1) ?? null;
  const earlier = values.slice(0, -1).filter((v): v is number => v !== null);
  const mean = earlier.length > 0 ? earlier.reduce((s, v) => s + v, 0) / earlier.length : null;
  const delta = current !== null && mean !== null ? current - mean : null;
  const better =
    delta === null || Math.abs(delta) <= flat ? null : higherIsBetter ? delta > 0 : delta < 0;
  return { current, mean, delta, better };
}

/**
 * First-pass yield: pieces good at their first pass / pieces made (docs/decisions.md "Issue 23
 * — nonconformance and rework"); null when none was made. Pieces made stay good + rejected:
 * rework and concession move pieces from rejected to good, never add any.
 */
export function firstPassYield(firstPassGood: number, made: number): number | null {
  return made > 0 ? Math.min(1, Math.max(0, firstPassGood / made)) : null;
}

/** Rejected pieces with a reason; `reason` null: the machine's reject counter (no reason). */
export interface RejectCount {
  reason: string | null;
  pieces: number;
}

export interface ParetoBar {
  reason: string | null;
  pieces: number;
  /** Share of all rejected pieces, 0–1. */
  share: number;
  /** Running share up to and including this bar, 0–1. */
  cumulative: number;
}

/**
 * A Pareto of reject reasons: rows of one reason summed, biggest first (ties by reason, the
 * counter's pieces last), each with its share and the running share.
 */
export function rejectPareto(rows: readonly RejectCount[]): ParetoBar[] {
  const sums = new Map<string | null, number>();
  for (const r of rows) if (r.pieces > 0) sums.set(r.reason, (sums.get(r.reason) ?? 0) + r.pieces);
  const total = [...sums.values()].reduce((s, v) => s + v, 0);
  const sorted = [...sums].sort(
    ([ra, a], [rb, b]) =>
      b - a || (ra === null ? 1 : rb === null ? -1 : ra < rb ? -1 : ra > rb ? 1 : 0),
  );
  let running = 0;
  return sorted.map(([reason, pieces]) => {
    running += pieces;
    return { reason, pieces, share: pieces / total, cumulative: running / total };
  });
}

/** Pieces of one group (a product, a machine) on one plant day. */
export interface DayPieces {
  group: string;
  date: string;
  good: number;
  rejected: number;
}

export interface ScrapSeries {
  group: string;
  /** Scrap rate per day of `days`, null on a day without pieces. */
  rates: (number | null)[];
  good: number;
  rejected: number;
}

/** Scrap rate (rejected / made) per group and plant day, groups by most rejected first. */
export function scrapSeries(rows: readonly DayPieces[], days: readonly string[]): ScrapSeries[] {
  const groups = new Map<string, Map<string, { good: number; rejected: number }>>();
  for (const r of rows) {
    const byDay = groups.get(r.group) ?? new Map<string, { good: number; rejected: number }>();
    const had = byDay.get(r.date) ?? { good: 0, rejected: 0 };
    byDay.set(r.date, { good: had.good + r.good, rejected: had.rejected + r.rejected });
    groups.set(r.group, byDay);
  }
  return [...groups]
    .map(([group, byDay]) => {
      const rates = days.map((d) => {
        const p = byDay.get(d);
        return p && p.good + p.rejected > 0 ? p.rejected / (p.good + p.rejected) : null;
      });
      const all = [...byDay.values()];
      return {
        group,
        rates,
        good: all.reduce((s, p) => s + p.good, 0),
        rejected: all.reduce((s, p) => s + p.rejected, 0),
      };
    })
    .sort((a, b) => b.rejected - a.rejected || (a.group < b.group ? -1 : 1));
}

/** The plant days (YYYY-MM-DD) touching [from, to). */
export function plantDayList(from: number, to: number, timeZone: string): string[] {
  const out: string[] = [];
  const last = plantDate(Math.max(from, to - 1), timeZone);
  for (let d = plantDate(from, timeZone); d <= last; d = addDays(d, 1)) out.push(d);
  return out;
}
