/**
 * Line load: per machine and line, hours booked by the plan against working hours, per
 * plant-calendar day. The plan is finite, so a day is never booked beyond its working hours;
 * it is *overloaded* when it is fully booked and carries work of an order the plan finishes
 * after its due date — capacity short of demand, the reason those orders are late.
 */
import { intersect, measure, type Interval } from '../intervals';
import { plantDate } from '../shifts';
import { WorkingTime, dayInterval } from './calendar';
import type { LoadDay, Plan, PlanLoad, WorkingCalendar } from './types';

const HOUR_MS = 3_600_000;
/** Booked within a minute of the working time counts as full. */
const FULL_SLACK_MS = 60_000;

const hours = (ms: number) => Math.round((ms / HOUR_MS) * 100) / 100;

/** The `days` plant-calendar days from the one holding `from`. */
export function lineLoad(
  plan: Plan,
  calendar: WorkingCalendar,
  machines: readonly { id: string; line: string }[],
  from: number,
  days: number,
  timeZone: string = calendar.timeZone,
): PlanLoad {
  const dates: string[] = [];
  const spans: Interval[] = [];
  let start = dayInterval(plantDate(from, timeZone), timeZone).from;
  for (let i = 0; i < days; i++) {
    const date = plantDate(start, timeZone);
    const span = dayInterval(date, timeZone);
    dates.push(date);
    spans.push(span);
    start = span.to;
  }
  const first = spans[0]?.from ?? from;
  const last = spans.at(-1)?.to ?? from;
  const working = new WorkingTime(calendar, first, last).within(first, last);
  const late = new Set(plan.orders.filter((o) => o.lateRisk).map((o) => o.order));
  const byMachine = new Map<string, Plan['operations']>();
  for (const op of plan.operations)
    byMachine.set(op.machine, [...(byMachine.get(op.machine) ?? []), op]);

  const machineRows = machines.map((m) => {
    const ops = byMachine.get(m.id) ?? [];
    return {
      id: m.id,
      line: m.line,
      days: spans.map((span, i): LoadDay => {
        const available = intersect(working, [span]);
        const mine = ops.filter((op) => op.plannedStart < span.to && op.plannedFinish > span.from);
        const booked = measure(
          intersect(
            available,
            mine.map((op) => ({ from: op.plannedStart, to: op.plannedFinish })),
          ),
        );
        const availableMs = measure(available);
        const full = availableMs > 0 && booked >= availableMs - FULL_SLACK_MS;
        return {
          date: dates[i]!,
          bookedH: hours(booked),
          availableH: hours(availableMs),
          overloaded: full && mine.some((op) => late.has(op.order)),
        };
      }),
    };
  });
  const lineIds = [...new Set(machines.map((m) => m.line))];
  const lines = lineIds.map((id) => {
    const rows = machineRows.filter((r) => r.line === id);
    return {
      id,
      days: dates.map((date, i): LoadDay => {
        const day = rows.map((r) => r.days[i]!);
        return {
          date,
          bookedH: hours(day.reduce((s, d) => s + d.bookedH * HOUR_MS, 0)),
          availableH: hours(day.reduce((s, d) => s + d.availableH * HOUR_MS, 0)),
          overloaded: day.some((d) => d.overloaded),
        };
      }),
    };
  });
  return { from: dates[0] ?? plantDate(from, timeZone), days: dates, machines: machineRows, lines };
}
