/**
 * The figures of a report, read from the store (docs/decisions.md "Issue 19 — reports that
 * come to people"): which period a shift or a day is, OEE per machine over it (as /api/oee),
 * the stops by reason (as /api/downtime), the orders late by its end.
 */
import type { PlantModel } from '@takt/protocol';
import type { Pool } from 'pg';
import { plantDays } from '../domain/report-periods';
import { shiftOccurrences, zonedTimeToUtc } from '../domain/shifts';
import { downtimeReport } from '../queries/losses';
import { machineOeeReports } from '../queries/oee';
import { shiftReportOf } from '../queries/shift-report';
import {
  reportStopsOf,
  targetOf,
  topStops,
  type LateOrder,
  type ReportContent,
  type ReportKind,
  type ReportPeriodRef,
} from './content';

const localDate = (date: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return { y, m, d };
};

/**
 * The period of a shift worked on a plant date (the day it starts), or of the plant day
 * (`shift` undefined); undefined when the plant has no such shift that day (a holiday, an
 * unknown id).
 */
export function periodOf(
  plant: PlantModel,
  kind: ReportKind,
  date: string,
  shift?: string,
): ReportPeriodRef | undefined {
  const timeZone = plant.site.timeZone;
  const midnight = zonedTimeToUtc(localDate(date), '00:00', timeZone);
  if (kind === 'daily') {
    const day = plantDays(midnight, midnight + 26 * 3_600_000, timeZone)[0]!;
    return { kind, date, shift: 'day', shiftName: '', from: day.from, to: day.to };
  }
  const found = shiftOccurrences(
    plant.shifts,
    midnight - 3_600_000,
    midnight + 50 * 3_600_000,
    timeZone,
    plant.holidays,
  ).find((o) => o.date === date && o.shift === shift);
  return (
    found && {
      kind,
      date,
      shift: found.shift,
      shiftName: found.name,
      from: found.from,
      to: found.to,
    }
  );
}

/** Orders due by `to` whose last operation was not done by then, or was done late in the period. */
async function lateOrders(pool: Pool, from: number, to: number): Promise<LateOrder[]> {
  const { rows } = await pool.query<{
    id: string;
    product: string | null;
    quantity: number;
    done: string | null;
    due_at: Date;
  }>(
    `SELECT w.id, w.product_id AS product, w.quantity, last.good AS done, w.due_at
       FROM work_orders w
       LEFT JOIN LATERAL (
         SELECT o.good, o.completed_at FROM work_order_operations o
          WHERE o.work_order_id = w.id ORDER BY o.position DESC LIMIT 1) last ON true
      WHERE w.due_at < $2
        AND (last.completed_at IS NULL OR last.completed_at > $2
             OR (last.completed_at > w.due_at AND last.completed_at >= $1))
      ORDER BY w.due_at, w.id
      LIMIT 10`,
    [new Date(from), new Date(to)],
  );
  return rows.map((r) => ({
    id: r.id,
    product: r.product ?? '',
    quantity: r.quantity,
    done: Number(r.done ?? 0),
    dueAt: r.due_at.getTime(),
  }));
}

/** The report's content over its period; undefined when the plant has no machines stored. */
export async function gatherReport(
  pool: Pool,
  plant: PlantModel,
  period: ReportPeriodRef,
): Promise<ReportContent | undefined> {
  const site = plant.site;
  const whole = await shiftReportOf(pool, { site: site.id }, period.from, period.to);
  if (!whole) return undefined;
  const names = new Map(plant.lines.flatMap((l) => l.machines.map((m) => [m.id, m.name])));
  const figures = await machineOeeReports(
    pool,
    whole.machines.map((machine) => ({ machine, from: period.from, to: period.to })),
  );
  const stops = await Promise.all(
    plant.lines.map((l) => downtimeReport(pool, { line: l.id }, period.from, period.to)),
  );
  return {
    period,
    site: { id: site.id, name: site.name, timeZone: site.timeZone },
    machines: whole.machines.flatMap((id, i) => {
      const f = figures[i];
      return f ? [{ id, name: names.get(id) ?? id, figures: f, target: targetOf(f) }] : [];
    }),
    total: whole.total,
    stops: topStops(reportStopsOf(stops.flatMap((s) => s ?? []))),
    late: await lateOrders(pool, period.from, period.to),
  };
}
