import type { ShiftReport } from '@takt/protocol';
import type { Pool } from 'pg';
import { reportPeriods, type ReportPeriod } from '../domain/report-periods';
import { loadPlantModel } from '../plant';
import { machineWindows } from './machine-windows';
import { combineParts, machinesOf, partOf, type Part } from './oee';

export type ReportScope = { site: string } | { line: string } | { machine: string };

const iso = (ms: number) => new Date(ms).toISOString();
const occurrence = (p: ReportPeriod) => ({
  shift: p.shift,
  name: p.name,
  date: p.date,
  from: iso(p.from),
  to: iso(p.to),
});

/** Parts grouped by a key, in first-seen order. */
function groupBy<T>(items: readonly T[], keyOf: (t: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return [...groups.values()];
}

/**
 * The shift report of a site, line or machine over [from, to): each machine over each shift
 * worked (each plant day without a calendar), read in a fixed number of queries
 * (machine-windows.ts), then added up per shift, per plant day and in total the way
 * `/api/oee` adds machines up (summed, then divided). Undefined when the scope has no machines.
 */
export async function shiftReportOf(
  pool: Pool,
  scope: ReportScope,
  from: number,
  to: number,
): Promise<Omit<ShiftReport, 'site' | 'line' | 'machine' | 'from' | 'to'> | undefined> {
  const found = await machinesOf(pool, scope);
  if (found.length === 0) return undefined;
  const plant = await loadPlantModel(pool, found[0]!.site_id);
  const order = (plant?.lines ?? []).flatMap((l) => l.machines.map((m) => m.id));
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
  const machines = [...found].sort((a, b) => rank(a.id) - rank(b.id));
  const { period, periods } = reportPeriods(
    plant?.shifts ?? [],
    plant?.holidays ?? [],
    from,
    to,
    machines[0]!.time_zone,
  );
  const requests = periods.flatMap((p) => machines.map((machine) => ({ machine, p })));
  const windows = await machineWindows(
    pool,
    requests.map((r) => ({ machine: r.machine, from: r.p.from, to: r.p.to })),
  );
  const cells: { p: ReportPeriod; machine: string; part: Part }[] = requests.map((r, i) => ({
    p: r.p,
    machine: r.machine.id,
    part: partOf(r.machine, windows[i]!, r.p.from, r.p.to),
  }));
  const parts = (group: readonly (typeof cells)[number][]) => group.map((c) => c.part);
  return {
    period,
    machines: machines.map((m) => m.id),
    rows: cells.map((c) => ({
      ...occurrence(c.p),
      machine: c.machine,
      ...combineParts([c.part]),
    })),
    shifts: groupBy(cells, (c) => `${c.p.date}\u0000${c.p.shift}`).map((g) => ({
      ...occurrence(g[0]!.p),
      ...combineParts(parts(g)),
    })),
    days: groupBy(cells, (c) => c.p.date).map((g) => ({
      date: g[0]!.p.date,
      from: iso(Math.min(...g.map((c) => c.p.from))),
      to: iso(Math.max(...g.map((c) => c.p.to))),
      ...combineParts(parts(g)),
    })),
    total: combineParts(parts(cells)),
  };
}
