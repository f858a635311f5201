import type { ShiftConfig } from '@takt/protocol';
import { plantDate, shiftOccurrences, zonedTimeToUtc, type ShiftOccurrence } from './shifts';

const DAY_MS = 24 * 3_600_000;

/** The window a plant board's figures cover, and the shift it belongs to (if the plant has shifts). */
export interface BoardWindow {
  shift: Pick<ShiftOccurrence, 'shift' | 'name' | 'date' | 'from' | 'to'> | null;
  from: number;
  to: number;
  /** True while the window is still open (the shift runs now, or the plant day without shifts). */
  ongoing: boolean;
}

/**
 * The shift a wall board shows at `now`: the one running; between shifts the last one that
 * ended (within a day), whole; without a shift calendar, the plant day so far (from local
 * midnight, as the live counts).
 */
export function boardWindow(
  shifts: readonly ShiftConfig[],
  holidays: readonly string[],
  timeZone: string,
  now: number,
): BoardWindow {
  const occurrences = shiftOccurrences(shifts, now - DAY_MS, now + 1, timeZone, holidays);
  const running = occurrences.find((o) => o.from <= now && now < o.to);
  const pick = (o: ShiftOccurrence) => ({
    shift: o.shift,
    name: o.name,
    date: o.date,
    from: o.from,
    to: o.to,
  });
  if (running) return { shift: pick(running), from: running.from, to: now, ongoing: true };
  const ended = occurrences.filter((o) => o.to <= now).at(-1);
  if (ended) return { shift: pick(ended), from: ended.from, to: ended.to, ongoing: false };
  const [y, m, d] = plantDate(now, timeZone).split('-').map(Number) as [number, number, number];
  const midnight = zonedTimeToUtc({ y, m, d }, '00:00', timeZone);
  return { shift: null, from: midnight, to: now, ongoing: shifts.length === 0 };
}
