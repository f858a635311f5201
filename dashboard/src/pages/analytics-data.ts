/**
 * What the analytics page reads for a scope and window: the shift report
 * (`/api/oee/shift-report`: per shift × machine, per shift, per plant day and in total, added
 * up by ingest; per plant day when the plant has no shift calendar) and downtime by reason
 * (`/api/downtime` per line or machine; the plant's lines are merged in lib/oee-report.ts).
 */
import { api, type ShiftReport } from '@takt/protocol/api';
import type { AnalyticsWindow } from '../lib/analytics-window';
import { apiGet } from '../lib/api';
import type { DowntimeEntry } from '../lib/oee-report';
import type { PlantModel } from '../plant/plant-model';
import { mapLimit } from './use-api';

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

const iso = (ms: number) => new Date(ms).toISOString();
/** Requests in flight at once: the server computes each from raw states and counts. */
const PARALLEL = 4;

type Scoped = { site: string } | { line: string } | { machine: string };

function reportScope(plant: PlantModel, scope: ScopeChoice): Scoped {
  if (scope.kind === 'plant') return { site: plant.site.id };
  return scope.kind === 'line' ? { line: scope.id } : { machine: scope.id };
}

async function downtime(plant: PlantModel, scope: ScopeChoice, w: AnalyticsWindow) {
  const scopes: ({ line: string } | { machine: string })[] =
    scope.kind === 'plant'
      ? plant.lines.map((l) => ({ line: l.id }))
      : [scope.kind === 'line' ? { line: scope.id } : { machine: scope.id }];
  return mapLimit(scopes, PARALLEL, async (s) => {
    const answer = await apiGet(api.oee.downtime, {
      query: { ...s, from: iso(w.fromMs), to: iso(w.toMs) },
    });
    return answer.reasons;
  });
}

export interface AnalyticsData {
  report: ShiftReport;
  downtime: DowntimeEntry[][];
  machines: string[];
}

export async function loadAnalytics(
  plant: PlantModel,
  scope: ScopeChoice,
  w: AnalyticsWindow,
): Promise<AnalyticsData> {
  const machines = scopeMachines(plant, scope);
  const query = { ...reportScope(plant, scope), from: iso(w.fromMs), to: iso(w.toMs) };
  const [report, down] = await Promise.all([
    apiGet(api.shiftReport.shiftReport, { query }),
    downtime(plant, scope, w),
  ]);
  return { report, downtime: down, machines };
}
