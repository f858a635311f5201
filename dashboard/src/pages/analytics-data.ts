/**
 * What the analytics page reads for a scope and window: OEE per shift × machine
 * (`/api/oee/shifts`, or `/api/oee` per plant day when the plant has no shift calendar) and
 * downtime by reason (`/api/downtime` per line or machine). The plant scope has no route of
 * its own: its lines are read and added up here (lib/oee-report.ts).
 */
import { dayPeriods, type AnalyticsWindow } from '../lib/analytics-window';
import type { DowntimeEntry, OeeFigures, PeriodRow, SixBigLosses } from '../lib/oee-report';
import type { PlantModel } from '../plant/plant-model';
import { getJson, mapLimit } from './use-api';

export type ScopeChoice =
  { kind: 'plant' } | { kind: 'line'; id: string } | { kind: 'machine'; id: string };

export function parseScope(value: string): ScopeChoice {
  const [kind, id] = value.split(':', 2);
  if ((kind === 'line' || kind === 'machine') && id) return { kind, id };
  return { kind: 'plant' };
}

export const scopeValue = (s: ScopeChoice) => (s.kind === 'plant' ? 'plant' : `${s.kind}:${s.id}`);

/** The machines of a scope, in the plant model's order. */
export function scopeMachines(plant: PlantModel, scope: ScopeChoice): string[] {
  const all = plant.lines.flatMap((l) => l.machines.map((m) => ({ line: l.id, id: m.id })));
  if (scope.kind === 'plant') return all.map((m) => m.id);
  if (scope.kind === 'line') return all.filter((m) => m.line === scope.id).map((m) => m.id);
  return all.some((m) => m.id === scope.id) ? [scope.id] : [];
}

export function machineName(plant: PlantModel, id: string): string {
  for (const l of plant.lines) for (const m of l.machines) if (m.id === id) return m.name;
  return id;
}

export { reasonName } from '../plant/plant-model';

type Figures = OeeFigures & { losses: SixBigLosses | null };

const iso = (ms: number) => new Date(ms).toISOString();
const windowQuery = (w: AnalyticsWindow) => `from=${iso(w.fromMs)}&to=${iso(w.toMs)}`;
/** Requests in flight at once: the server computes each from raw states and counts. */
const PARALLEL = 4;

async function periodRows(plant: PlantModel, machines: string[], w: AnalyticsWindow) {
  if (plant.shifts.length > 0) {
    const perMachine = await mapLimit(machines, PARALLEL, async (machine) => {
      const answer = await getJson<{
        shifts: (Figures & {
          shift: string;
          name: string;
          date: string;
          from: string;
          to: string;
        })[];
      }>(`/api/oee/shifts?machine=${encodeURIComponent(machine)}&${windowQuery(w)}`);
      return answer.shifts.map((s): PeriodRow => ({ ...s, machine }));
    });
    return perMachine.flat();
  }
  // No shift calendar: every hour is planned; one row per machine and plant day.
  const days = dayPeriods(w.fromMs, w.toMs, plant.site.timeZone);
  const jobs = machines.flatMap((machine) => days.map((day) => ({ machine, day })));
  return mapLimit(jobs, PARALLEL, async ({ machine, day }): Promise<PeriodRow> => {
    const answer = await getJson<Figures>(
      `/api/oee?machine=${encodeURIComponent(machine)}&from=${iso(day.fromMs)}&to=${iso(day.toMs)}`,
    );
    return {
      ...answer,
      machine,
      shift: 'day',
      name: '',
      date: day.date,
      from: iso(day.fromMs),
      to: iso(day.toMs),
    };
  });
}

async function downtime(plant: PlantModel, scope: ScopeChoice, w: AnalyticsWindow) {
  const scopes =
    scope.kind === 'plant'
      ? plant.lines.map((l) => `line=${encodeURIComponent(l.id)}`)
      : [`${scope.kind}=${encodeURIComponent(scope.id)}`];
  return mapLimit(scopes, PARALLEL, async (s) => {
    const answer = await getJson<{ reasons: DowntimeEntry[] }>(
      `/api/downtime?${s}&${windowQuery(w)}`,
    );
    return answer.reasons;
  });
}

export interface AnalyticsData {
  rows: PeriodRow[];
  downtime: DowntimeEntry[][];
  machines: string[];
}

export async function loadAnalytics(
  plant: PlantModel,
  scope: ScopeChoice,
  w: AnalyticsWindow,
): Promise<AnalyticsData> {
  const machines = scopeMachines(plant, scope);
  const [rows, down] = await Promise.all([
    periodRows(plant, machines, w),
    downtime(plant, scope, w),
  ]);
  return { rows, downtime: down, machines };
}
