import { dateTimeFormat, type ShiftConfig, type Weekday } from '@takt/protocol';
import { zonedTimeToUtc } from '../domain/shifts';

const DAY_MS = 86_400_000;
const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export interface ShiftWindow {
  /** `<shift>@<local date it started>`: names the window an OEE alert belongs to. */
  key: string;
  from: number;
  to: number;
}

function localDay(at: number, timeZone: string) {
  const [y, m, d] = dateTimeFormat('en-CA', { timeZone }).format(at).split('-').map(Number) as [
    number,
    number,
    number,
  ];
  return { y, m, d };
}

/** The shift running at `at` (site time zone; a shift may cross midnight), or none. */
export function shiftWindowAt(
  shifts: readonly ShiftConfig[],
  at: number,
  timeZone: string,
): ShiftWindow | undefined {
  const today = localDay(at, timeZone);
  for (const back of [0, 1]) {
    const t = new Date(Date.UTC(today.y, today.m - 1, today.d) - back * DAY_MS);
    const day = { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
    const weekday = WEEKDAYS[t.getUTCDay()]!;
    for (const shift of shifts) {
      if (!shift.days.includes(weekday)) continue;
      const from = zonedTimeToUtc(day, shift.start, timeZone);
      const next = new Date(t.getTime() + DAY_MS);
      const endDay =
        shift.end <= shift.start
          ? { y: next.getUTCFullYear(), m: next.getUTCMonth() + 1, d: next.getUTCDate() }
          : day;
      const to = zonedTimeToUtc(endDay, shift.end, timeZone);
      if (at >= from && at < to) {
        const date = `${day.y}-${String(day.m).padStart(2, '0')}-${String(day.d).padStart(2, '0')}`;
        return { key: `${shift.id}@${date}`, from, to };
      }
    }
  }
  return undefined;
}
