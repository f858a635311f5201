import type { ShiftConfig } from '@takt/protocol';
import { plantDate, shiftOccurrences, zonedTimeToUtc } from './shifts';

/** One period of a shift report: a shift as worked on one day, or a whole plant day. */
export interface ReportPeriod {
  /** The shift's id; `day` for a plant day. */
  shift: string;
  /** The shift's name as the plant wrote it; '' for a plant day. */
  name: string;
  /** The plant day it starts on, YYYY-MM-DD. */
  date: string;
  from: number;
  to: number;
}

const nextDate = (date: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
};
const midnight = (date: string, timeZone: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return zonedTimeToUtc({ y, m, d }, '00:00', timeZone);
};

/** The plant days touching [from, to), each cut to the window (DST-aware). */
export function plantDays(from: number, to: number, timeZone: string): ReportPeriod[] {
  const out: ReportPeriod[] = [];
  for (let date = plantDate(from, timeZone); ; date = nextDate(date)) {
    const start = midnight(date, timeZone);
    if (start >= to) break;
    const end = midnight(nextDate(date), timeZone);
    out.push({ shift: 'day', name: '', date, from: Math.max(start, from), to: Math.min(end, to) });
  }
  return out;
}

/**
 * What a shift report adds up over [from, to): each shift worked (cut to the window), or —
 * a plant without a shift calendar, where every hour is planned — each plant day.
 */
export function reportPeriods(
  shifts: readonly ShiftConfig[],
  holidays: readonly string[],
  from: number,
  to: number,
  timeZone: string,
): { period: 'shift' | 'day'; periods: ReportPeriod[] } {
  if (shifts.length === 0) return { period: 'day', periods: plantDays(from, to, timeZone) };
  const periods = shiftOccurrences(shifts, from, to, timeZone, holidays).map((o) => ({
    shift: o.shift,
    name: o.name,
    date: o.date,
    from: Math.max(o.from, from),
    to: Math.min(o.to, to),
  }));
  return { period: 'shift', periods };
}
