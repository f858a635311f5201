import { dateTimeFormat, type ShiftConfig, type Weekday } from '@takt/protocol';
import { intersect, normalize, subtract, type Interval } from './intervals';

const DAY_MS = 24 * 60 * 60 * 1000;
const WEEKDAY_OF_UTC_DAY: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface LocalDate {
  y: number;
  m: number;
  d: number;
}

/**
 * Wall clocks already read, by zone and instant. Every machine of a site asks for the same
 * shift starts, ends and breaks: at 1,000 machines the OEE reports and the polled OEE rules
 * made tens of thousands of `formatToParts` calls in one go, most of a second of ingest's
 * CPU (docs/decisions.md "Issue 22 — rollups once a minute is over"). Bounded: emptied when full.
 */
const wallClocks = new Map<string, number>();
const WALL_CLOCKS_MAX = 20_000;

/** The wall-clock date and time of `instant` in `timeZone`, as if it were UTC (ms). */
function wallClockMs(instant: number, timeZone: string): number {
  const key = `${timeZone}\u0000${instant}`;
  const known = wallClocks.get(key);
  if (known !== undefined) return known;
  const wall = readWallClock(instant, timeZone);
  if (wallClocks.size >= WALL_CLOCKS_MAX) wallClocks.clear();
  wallClocks.set(key, wall);
  return wall;
}

function readWallClock(instant: number, timeZone: string): number {
  const parts = dateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
}

/** The instant at which the clocks in `timeZone` show this date and time (DST-aware). */
export function zonedTimeToUtc(date: LocalDate, hhmm: string, timeZone: string): number {
  const [hh, mm] = hhmm.split(':').map(Number) as [number, number];
  const wall = Date.UTC(date.y, date.m - 1, date.d, hh, mm);
  let guess = wall - (wallClockMs(wall, timeZone) - wall);
  // A second pass settles guesses that crossed a DST change.
  guess = wall - (wallClockMs(guess, timeZone) - guess);
  return guess;
}

function localDate(instant: number, timeZone: string): LocalDate {
  const wall = new Date(wallClockMs(instant, timeZone));
  return { y: wall.getUTCFullYear(), m: wall.getUTCMonth() + 1, d: wall.getUTCDate() };
}

function addDays(date: LocalDate, days: number): LocalDate {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d) + days * DAY_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** One shift started on `day`: its span, and that span minus its breaks. `end` <= `start` crosses midnight. */
function shiftOn(shift: ShiftConfig, day: LocalDate, timeZone: string) {
  const at = (hhmm: string) => {
    // Clock times earlier than the start belong to the next day (after midnight).
    const next = hhmm <= shift.start && hhmm !== shift.start ? 1 : 0;
    return zonedTimeToUtc(addDays(day, next), hhmm, timeZone);
  };
  const from = zonedTimeToUtc(day, shift.start, timeZone);
  const to =
    shift.end <= shift.start ? zonedTimeToUtc(addDays(day, 1), shift.end, timeZone) : at(shift.end);
  const breaks = shift.breaks.map((b) => ({ from: at(b.start), to: at(b.end) }));
  return { from, to, planned: subtract([{ from, to }], breaks) };
}

const isoDay = (d: LocalDate) =>
  `${d.y}-${String(d.m).padStart(2, '0')}-${String(d.d).padStart(2, '0')}`;

/** One shift as worked on one day: `date` is the plant-calendar day it started on. */
export interface ShiftOccurrence extends Interval {
  shift: string;
  name: string;
  date: string;
  /** The shift minus its breaks, within the window asked for. */
  planned: Interval[];
}

/**
 * Every shift that touches [from, to): started on one of its days, not on a holiday, in the
 * site's time zone (DST-aware); sorted by start. A night shift belongs to the day it began.
 */
export function shiftOccurrences(
  shifts: readonly ShiftConfig[],
  from: number,
  to: number,
  timeZone: string,
  holidays: readonly string[] = [],
): ShiftOccurrence[] {
  const out: ShiftOccurrence[] = [];
  const window = [{ from, to }];
  const last = localDate(to, timeZone);
  const off = new Set(holidays);
  // Start a day early: last night's shift may run into the window.
  for (let day = addDays(localDate(from, timeZone), -1); ; day = addDays(day, 1)) {
    const weekday = WEEKDAY_OF_UTC_DAY[new Date(Date.UTC(day.y, day.m - 1, day.d)).getUTCDay()]!;
    const date = isoDay(day);
    for (const shift of shifts) {
      if (!shift.days.includes(weekday) || off.has(date)) continue;
      const occurrence = shiftOn(shift, day, timeZone);
      if (occurrence.to <= from || occurrence.from >= to) continue;
      out.push({
        shift: shift.id,
        name: shift.name,
        date,
        from: occurrence.from,
        to: occurrence.to,
        planned: intersect(occurrence.planned, window),
      });
    }
    if (day.y === last.y && day.m === last.m && day.d === last.d) break;
  }
  return out.sort((a, b) => a.from - b.from);
}

/**
 * Planned busy time of a shift calendar within [from, to) (ISO 22400-2 PBT before
 * unplanned stops): every shift that starts on one of its days, minus its breaks and
 * holidays, in the site's time zone. No shifts declared: the whole window is planned.
 */
export function plannedIntervals(
  shifts: readonly ShiftConfig[],
  from: number,
  to: number,
  timeZone: string,
  holidays: readonly string[] = [],
): Interval[] {
  if (shifts.length === 0) return [{ from, to }];
  return normalize(
    shiftOccurrences(shifts, from, to, timeZone, holidays).flatMap((o) => o.planned),
  );
}

/** The plant-calendar date (YYYY-MM-DD) of an instant in `timeZone`. */
export function plantDate(instant: number, timeZone: string): string {
  return isoDay(localDate(instant, timeZone));
}
