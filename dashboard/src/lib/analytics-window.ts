/**
 * The analytics page's windows (today, this shift, last 7 / 30 days) in the plant's time
 * zone, and how its OEE trend is bucketed (per shift or per day). Pure: `nowMs` comes in.
 */
import type { PlantShift } from '../plant/plant-model';

export const WINDOW_KINDS = ['today', 'shift', '7d', '30d'] as const;
export type WindowKind = (typeof WINDOW_KINDS)[number];

/** How the trend groups its points. */
export type TrendBucket = 'shift' | 'day';

export interface AnalyticsWindow {
  kind: WindowKind;
  fromMs: number;
  toMs: number;
  bucket: TrendBucket;
  /** The shift the window is, for `shift`. */
  shiftName?: string;
}

const DAY_MS = 86_400_000;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

interface LocalDay {
  y: number;
  m: number;
  d: number;
}

function localParts(epochMs: number, timeZone: string) {
  const out: Record<string, number> = {};
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  for (const p of f.formatToParts(epochMs)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out as {
    year: number;
    month: number;
    day: number;
    hour: number;
    minute: number;
    second: number;
  };
}

/** The zone's offset from UTC at that instant, ms (Shanghai: +8 h). */
function zoneOffsetMs(epochMs: number, timeZone: string): number {
  const p = localParts(epochMs, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/** The instant a wall clock in `timeZone` reads `day` at `minutes` after midnight. */
export function zonedEpoch(day: LocalDay, minutes: number, timeZone: string): number {
  const guess = Date.UTC(day.y, day.m - 1, day.d) + minutes * 60_000;
  const first = guess - zoneOffsetMs(guess, timeZone);
  // Once more at the result: right across a daylight-saving change.
  return guess - zoneOffsetMs(first, timeZone);
}

export function localDay(epochMs: number, timeZone: string): LocalDay {
  const p = localParts(epochMs, timeZone);
  return { y: p.year, m: p.month, d: p.day };
}

function addDays(day: LocalDay, n: number): LocalDay {
  const t = new Date(Date.UTC(day.y, day.m - 1, day.d + n));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** Midnight of the plant's day holding `epochMs`. */
export function plantMidnight(epochMs: number, timeZone: string): number {
  return zonedEpoch(localDay(epochMs, timeZone), 0, timeZone);
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

/**
 * The shift running at `nowMs` (from its start to now), else the last one that ran (whole):
 * a shift starting on a day it is planned for, `end` before `start` crossing midnight.
 * Holidays are not looked at (the server's shift report is).
 */
export function currentShift(
  shifts: readonly PlantShift[],
  nowMs: number,
  timeZone: string,
): { fromMs: number; toMs: number; name: string } | null {
  let best: { fromMs: number; toMs: number; name: string } | null = null;
  const today = localDay(nowMs, timeZone);
  for (let back = 0; back <= 7; back++) {
    const day = addDays(today, -back);
    const weekday = WEEKDAYS[new Date(Date.UTC(day.y, day.m - 1, day.d)).getUTCDay()]!;
    for (const s of shifts) {
      if (s.days.length > 0 && !s.days.includes(weekday)) continue;
      const start = minutesOf(s.start);
      let end = minutesOf(s.end);
      if (end <= start) end += 24 * 60;
      const fromMs = zonedEpoch(day, start, timeZone);
      const toMs = zonedEpoch(day, end, timeZone);
      if (fromMs > nowMs) continue;
      if (!best || fromMs > best.fromMs)
        best = { fromMs, toMs: Math.min(toMs, nowMs), name: s.name };
    }
    if (best) return best;
  }
  return best;
}

/** The window a picker choice names at `nowMs`. */
export function analyticsWindow(
  kind: WindowKind,
  nowMs: number,
  timeZone: string,
  shifts: readonly PlantShift[],
): AnalyticsWindow {
  switch (kind) {
    case 'today':
      return { kind, fromMs: plantMidnight(nowMs, timeZone), toMs: nowMs, bucket: 'shift' };
    case 'shift': {
      const shift = currentShift(shifts, nowMs, timeZone);
      // No calendar: the last 8 hours stand in for a shift.
      if (!shift) return { kind, fromMs: nowMs - 8 * 3_600_000, toMs: nowMs, bucket: 'shift' };
      return {
        kind,
        fromMs: shift.fromMs,
        toMs: shift.toMs,
        bucket: 'shift',
        shiftName: shift.name,
      };
    }
    case '7d':
      return { kind, fromMs: nowMs - 7 * DAY_MS, toMs: nowMs, bucket: 'shift' };
    case '30d':
      return { kind, fromMs: nowMs - 30 * DAY_MS, toMs: nowMs, bucket: 'day' };
  }
}

/** Plant days (midnight to midnight, clipped to the window) over [fromMs, toMs). */
export function dayPeriods(
  fromMs: number,
  toMs: number,
  timeZone: string,
): { date: string; fromMs: number; toMs: number }[] {
  const out = [];
  for (let day = localDay(fromMs, timeZone); ; day = addDays(day, 1)) {
    const start = zonedEpoch(day, 0, timeZone);
    if (start >= toMs) break;
    const end = zonedEpoch(addDays(day, 1), 0, timeZone);
    const date = `${day.y}-${String(day.m).padStart(2, '0')}-${String(day.d).padStart(2, '0')}`;
    out.push({ date, fromMs: Math.max(start, fromMs), toMs: Math.min(end, toMs) });
  }
  return out;
}
