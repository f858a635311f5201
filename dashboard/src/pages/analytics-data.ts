/**
 * What the analytics page reads for a scope and window: the shift report
 * (`/api/oee/shift-report`: per shift × machine, per shift, per plant day and in total, added
 * up by ingest; per plant day when the plant has no shift calendar), downtime by reason
 * (`/api/downtime` per line or machine; the plant's lines are merged in lib/oee-report.ts)
 * and andon response times (`/api/andon/response-times`, read apart: responders only).
 */
import { api, type AndonResponseTimes, type ShiftReport } from '@takt/protocol/api';
import type { Lang } from '../i18n/translate';
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

/** Andon response times of the scope's stations (a machine is a station), per call type. */
export function loadAndonTimes(
  scope: ScopeChoice,
  w: AnalyticsWindow,
): Promise<AndonResponseTimes> {
  const where =
    scope.kind === 'plant'
      ? {}
      : scope.kind === 'line'
        ? { line: scope.id }
        : { station: scope.id };
  return apiGet(api.andon.responseTimes, {
    query: { ...where, from: iso(w.fromMs), to: iso(w.toMs) },
  });
}

/** One bar group of the "Andon response times" chart: minutes, null where no call was answered. */
export interface AndonTimeRow {
  call: string;
  /** The rule's label in the screen's language, else its name, else the call. */
  label: string;
  count: number;
  ackP50Min: number | null;
  ackP90Min: number | null;
  clearP50Min: number | null;
  clearP90Min: number | null;
}

const toMinutes = (ms: number | null) => (ms === null ? null : Math.round(ms / 6_000) / 10);

/** The answer -> chart rows, in the rules' order; call types without any call are left out. */
export function andonTimeRows(answer: AndonResponseTimes, lang: Lang): AndonTimeRow[] {
  return answer.calls
    .filter((c) => c.count > 0)
    .map((c) => ({
      call: c.call,
      label: c.label[lang] ?? c.name ?? c.call,
      count: c.count,
      ackP50Min: toMinutes(c.acknowledge.p50Ms),
      ackP90Min: toMinutes(c.acknowledge.p90Ms),
      clearP50Min: toMinutes(c.clear.p50Ms),
      clearP90Min: toMinutes(c.clear.p90Ms),
    }));
}
