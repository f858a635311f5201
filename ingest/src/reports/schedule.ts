/**
 * When reports are due (docs/config-reference.md "Reports"): pure, from the plant model and
 * the clock. Only the latest due report of each schedule is named — the scheduler records
 * what it sent (migration 043), so one missed while ingest was down is sent once when it is
 * back, and older ones are not piled onto the channel.
 */
import type { PlantModel } from '@takt/protocol';
import { plantDate, shiftOccurrences, zonedTimeToUtc } from '../domain/shifts';
import type { ReportPeriodRef } from './content';
import { periodOf } from './gather';

export interface DueReport {
  period: ReportPeriodRef;
  channels: readonly string[];
}

/** How far back a missed shift report is still sent (a long weekend down, then back). */
const LOOK_BACK_MS = 7 * 24 * 3_600_000;

const dayBefore = (date: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
};
const parts = (date: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return { y, m, d };
};

/** The last shift that ended by `now`, or undefined (no calendar, none in the last week). */
export function lastShiftEnded(plant: PlantModel, now: number): ReportPeriodRef | undefined {
  const ended = shiftOccurrences(
    plant.shifts,
    now - LOOK_BACK_MS,
    now,
    plant.site.timeZone,
    plant.holidays,
  ).filter((o) => o.to <= now);
  const last = ended.sort((a, b) => a.to - b.to).at(-1);
  return (
    last && {
      kind: 'shift',
      date: last.date,
      shift: last.shift,
      shiftName: last.name,
      from: last.from,
      to: last.to,
    }
  );
}

/** The plant day whose daily summary was last due by `now` (sent at `at` the day after). */
export function lastDailyDue(plant: PlantModel, at: string, now: number): ReportPeriodRef {
  const timeZone = plant.site.timeZone;
  const today = plantDate(now, timeZone);
  const sendToday = zonedTimeToUtc(parts(today), at, timeZone);
  const date = sendToday <= now ? dayBefore(today) : dayBefore(dayBefore(today));
  return periodOf(plant, 'daily', date)!;
}

/** The latest due report of each schedule the plant declares. */
export function dueReports(plant: PlantModel, now: number): DueReport[] {
  const out: DueReport[] = [];
  const { reports } = plant;
  const shift = reports?.shiftEnd && lastShiftEnded(plant, now);
  if (shift) out.push({ period: shift, channels: reports!.shiftEnd!.channels });
  if (reports?.daily)
    out.push({
      period: lastDailyDue(plant, reports.daily.at, now),
      channels: reports.daily.channels,
    });
  return out;
}
