import type { ShiftConfig } from '@takt/protocol';
import { plantDate, shiftOccurrences, zonedTimeToUtc, type ShiftOccurrence } from './shifts';

const DAY_MS = 24 * 3_600_000;

/** The window a plant board's figures cover (always up to now), and the shift it belongs to. */
export interface BoardWindow {
  shift: Pick<ShiftOccurrence, 'shift' | 'name' | 'date' | 'from' | 'to'> | null;
  from: number;
  to: number;
  /** True while the shift runs; false after it ended (pieces made since still count to it). */
  inShift: boolean;
  /** The plant's midnight today: where the live counts start (MachineSnapshot.counts.since). */
  midnight: number;
}

/**
 * The shift a wall board shows at `now`: the one running, from its start; between shifts the
 * last one that started within a day, still from its start (pieces made after its end count
 * to it, planned time does not grow); without a shift calendar, the plant day so far (from
 * local midnight, as the live counts).
 */
export function boardWindow(
  shifts: readonly ShiftConfig[],
  holidays: readonly string[],
  timeZone: string,
  now: number,
): BoardWindow {
  const [y, m, d] = plantDate(now, timeZone).split('-').map(Number) as [number, number, number];
  const midnight = zonedTimeToUtc({ y, m, d }, '00:00', timeZone);
  const started = shiftOccurrences(shifts, now - DAY_MS, now + 1, timeZone, holidays).filter(
    (o) => o.from <= now,
  );
  const last = started.at(-1);
  if (!last)
    return { shift: null, from: midnight, to: now, inShift: shifts.length === 0, midnight };
  const { shift, name, date, from, to } = last;
  return { shift: { shift, name, date, from, to }, from, to: now, inShift: now < to, midnight };
}
