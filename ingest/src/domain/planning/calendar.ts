/**
 * Working time of the plant calendar for the scheduler: the shift pattern (breaks, shifts
 * across midnight) minus holidays and closures, in the site's time zone, built lazily a
 * fortnight at a time from ingest/src/domain/shifts.ts (the one zoned-time helper).
 */
import type { PlanningConfig, PlantModel } from '@takt/protocol';
import { intersect, normalize, subtract, type Interval } from '../intervals';
import { plannedIntervals, plantDate, zonedTimeToUtc } from '../shifts';
import type { WorkingCalendar } from './types';

const DAY_MS = 24 * 60 * 60 * 1000;
const CHUNK_MS = 14 * DAY_MS;

/** The plant model's calendar: its shifts and holidays, and `planning.closures`. */
export function calendarOf(plant: PlantModel): WorkingCalendar {
  return {
    timeZone: plant.site.timeZone,
    shifts: plant.shifts,
    holidays: plant.holidays,
    closures: plant.planning.closures.map((c) => ({ from: c.from, to: c.to })),
  };
}

/** Set-up time from `planning.changeovers`: per product set up, else per machine, else the default; none when the product stays. */
export function changeoverOf(
  planning: PlanningConfig,
): (machine: string, fromProduct: string | null, toProduct: string) => number {
  const { defaultMinutes, products, machines } = planning.changeovers;
  return (machine, fromProduct, toProduct) =>
    fromProduct === toProduct
      ? 0
      : (products[toProduct] ?? machines[machine] ?? defaultMinutes) * 60_000;
}

const parseDay = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return { y, m, d };
};

/** Holidays and every day of every closure, as YYYY-MM-DD. */
export function offDays(calendar: WorkingCalendar): string[] {
  const out = new Set(calendar.holidays);
  for (const c of calendar.closures) {
    const { y, m, d } = parseDay(c.from);
    for (let t = Date.UTC(y, m - 1, d); ; t += DAY_MS) {
      const day = new Date(t).toISOString().slice(0, 10);
      if (day > c.to) break;
      out.add(day);
    }
  }
  return [...out].sort();
}

/** [local midnight, next local midnight) of a plant-calendar day. */
export function dayInterval(date: string, timeZone: string): Interval {
  const day = parseDay(date);
  const next = new Date(Date.UTC(day.y, day.m - 1, day.d) + DAY_MS);
  return {
    from: zonedTimeToUtc(day, '00:00', timeZone),
    to: zonedTimeToUtc(
      { y: next.getUTCFullYear(), m: next.getUTCMonth() + 1, d: next.getUTCDate() },
      '00:00',
      timeZone,
    ),
  };
}

/** The working intervals of the calendar within [from, to). */
export function workingIntervals(calendar: WorkingCalendar, from: number, to: number): Interval[] {
  const off = offDays(calendar);
  if (calendar.shifts.length > 0)
    return plannedIntervals(calendar.shifts, from, to, calendar.timeZone, off);
  // No shifts: every hour works, except the days that are off.
  const first = plantDate(from, calendar.timeZone);
  const last = plantDate(to, calendar.timeZone);
  const cut = off
    .filter((d) => d >= first && d <= last)
    .map((d) => dayInterval(d, calendar.timeZone));
  return subtract([{ from, to }], cut);
}

/**
 * Working time from an origin up to a horizon, as windows with running totals, so that
 * "where does this much working time from t end" is a binary search.
 */
export class WorkingTime {
  private readonly windows: Interval[] = [];
  /** Working ms before each window. */
  private readonly before: number[] = [];
  private builtTo: number;

  constructor(
    private readonly calendar: WorkingCalendar,
    readonly origin: number,
    readonly horizon: number,
  ) {
    this.builtTo = origin;
  }

  private extend(): boolean {
    if (this.builtTo >= this.horizon) return false;
    const to = Math.min(this.horizon, this.builtTo + CHUNK_MS);
    // A shift cut by the chunk boundary stays two adjacent windows: nothing depends on merging.
    for (const w of workingIntervals(this.calendar, this.builtTo, to)) {
      const last = this.windows.at(-1);
      this.before.push(last ? this.before.at(-1)! + (last.to - last.from) : 0);
      this.windows.push({ from: w.from, to: w.to });
    }
    this.builtTo = to;
    return true;
  }

  /** Index of the first window ending after t, building as needed; -1 past the horizon. */
  private windowAfter(t: number): number {
    for (;;) {
      const w = this.windows;
      let lo = 0;
      let hi = w.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (w[mid]!.to <= t) lo = mid + 1;
        else hi = mid;
      }
      if (lo < w.length) return lo;
      if (!this.extend()) return -1;
    }
  }

  /** The first working instant at or after t (Infinity when none before the horizon). */
  start(t: number): number {
    const i = this.windowAfter(t);
    return i < 0 ? Infinity : Math.max(t, this.windows[i]!.from);
  }

  /** Where `workMs` of working time from t ends (it pauses over gaps); Infinity past the horizon. */
  advance(t: number, workMs: number): number {
    const i = this.windowAfter(t);
    if (i < 0) return Infinity;
    if (workMs <= 0) return Math.max(t, this.windows[i]!.from);
    const w0 = this.windows[i]!;
    const target = this.before[i]! + Math.max(0, t - w0.from) + workMs;
    for (let j = i; ; j++) {
      while (j >= this.windows.length) if (!this.extend()) return Infinity;
      const w = this.windows[j]!;
      if (target <= this.before[j]! + (w.to - w.from)) return w.from + (target - this.before[j]!);
    }
  }

  /** Working intervals within [from, to) (both within origin..horizon). */
  within(from: number, to: number): Interval[] {
    while (this.builtTo < Math.min(to, this.horizon) && this.extend());
    return intersect(normalize(this.windows), [{ from, to }]);
  }
}
