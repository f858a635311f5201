/**
 * The monthly improvement report (月度改进建议报告; docs/decisions.md "Issue 19 — reports
 * that come to people"): the six big losses and the stop reasons of a plant month against the
 * month before, the orders due in it that were late and the longest stop on their machines
 * while they ran, and what to look at first. Read with the shift report's queries; the
 * comparison and the suggestions are pure (monthlyReport).
 */
import {
  MONTHLY_LOSSES,
  formatDurationText,
  type MessageLang,
  type MonthlyReport,
  type OeeReport,
  type PlantModel,
} from '@takt/protocol';
import type { Pool } from 'pg';
import { zonedTimeToUtc } from '../domain/shifts';
import { downtimeReport } from '../queries/losses';
import { shiftReportOf } from '../queries/shift-report';
import { reasonLabel, reportStopsOf, text, topStops, type ReportStop } from './content';

/** Midnight of the month's first day in the plant's zone, as epoch ms. */
export const monthStart = (month: string, timeZone: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return zonedTimeToUtc({ y, m, d: 1 }, '00:00', timeZone);
};
const shiftMonth = (month: string, by: number) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + by, 1)).toISOString().slice(0, 7);
};

export interface LateOrderRun {
  id: string;
  product: string;
  customer: string | null;
  dueAt: number;
  completedAt: number | null;
  /** When it ran, and on which machines: where its cause is looked for. */
  from: number;
  to: number;
  machines: string[];
}

/** What monthlyReport is made of: two months' figures and stops, the late orders' causes. */
export interface MonthlyFigures {
  month: string;
  site: { id: string; name: string; timeZone: string };
  now: OeeReport | undefined;
  before: OeeReport | undefined;
  stopsNow: ReportStop[];
  stopsBefore: ReportStop[];
  late: (LateOrderRun & { cause: ReportStop | undefined; monthEnd: number })[];
}

const pick = (f: OeeReport | undefined, key: 'oee' | 'availability' | 'performance' | 'quality') =>
  f?.[key] ?? null;

/** The report in `lang`, from the figures (pure). */
export function monthlyReport(
  figures: MonthlyFigures,
  plant: PlantModel | undefined,
  lang: MessageLang,
): MonthlyReport {
  const { now, before } = figures;
  const t = (key: string, params?: Parameters<typeof text>[0]['params']) =>
    text({ key, ...(params ? { params } : {}) }, lang, figures.site.timeZone);
  const losses = MONTHLY_LOSSES.map((loss) => ({
    loss,
    label: t(`report.loss.${loss}`),
    thisMs: now?.losses?.[`${loss}Ms`] ?? 0,
    lastMs: before?.losses?.[`${loss}Ms`] ?? 0,
  })).sort((a, b) => b.thisMs - a.thisMs);
  const lastOf = new Map(figures.stopsBefore.map((s) => [s.reason, s.durationMs]));
  const stops = figures.stopsNow.map((s) => ({
    reason: s.reason,
    label: reasonLabel(plant, s.reason, lang),
    thisMs: s.durationMs,
    lastMs: lastOf.get(s.reason) ?? 0,
    stops: s.stops,
  }));
  const late = figures.late.map((o) => ({
    id: o.id,
    product: o.product,
    customer: o.customer,
    dueAt: new Date(o.dueAt).toISOString(),
    completedAt: o.completedAt === null ? null : new Date(o.completedAt).toISOString(),
    lateMs: Math.max(0, (o.completedAt ?? o.monthEnd) - o.dueAt),
    cause: o.cause
      ? {
          reason: o.cause.reason,
          label: reasonLabel(plant, o.cause.reason, lang),
          durationMs: o.cause.durationMs,
        }
      : null,
  }));
  const duration = (ms: number) => formatDurationText(ms / 1000, lang);
  const change = (ms: number) => `${ms >= 0 ? '+' : '−'}${duration(Math.abs(ms))}`;
  const suggestions: string[] = [];
  const topLoss = losses[0];
  if (topLoss && topLoss.thisMs > 0)
    suggestions.push(
      t('report.monthly.suggestLoss', {
        loss: topLoss.label,
        duration: duration(topLoss.thisMs),
        change: change(topLoss.thisMs - topLoss.lastMs),
      }),
    );
  const topStop = stops[0];
  if (topStop)
    suggestions.push(
      t('report.monthly.suggestReason', {
        reason: topStop.label,
        duration: duration(topStop.thisMs),
        stops: topStop.stops,
      }),
    );
  const causes = topStops(
    late.flatMap((o) => (o.cause ? [{ ...o.cause, stops: 1 }] : [])),
    1,
  );
  if (late.length > 0 && causes[0])
    suggestions.push(
      t('report.monthly.suggestLate', {
        count: late.length,
        reason: reasonLabel(plant, causes[0].reason, lang),
      }),
    );
  if (suggestions.length === 0) suggestions.push(t('report.monthly.suggestNone'));
  return {
    site: figures.site.id,
    month: figures.month,
    previousMonth: shiftMonth(figures.month, -1),
    lang,
    title: t('report.monthly.title', { site: figures.site.name, month: figures.month }),
    oee: { this: pick(now, 'oee'), last: pick(before, 'oee') },
    availability: { this: pick(now, 'availability'), last: pick(before, 'availability') },
    performance: { this: pick(now, 'performance'), last: pick(before, 'performance') },
    quality: { this: pick(now, 'quality'), last: pick(before, 'quality') },
    goodCount: { this: now?.goodCount ?? null, last: before?.goodCount ?? null },
    losses,
    stops,
    late,
    suggestions,
  };
}

async function stopsOf(pool: Pool, plant: PlantModel, from: number, to: number, top: number) {
  const all = await Promise.all(
    plant.lines.map((l) => downtimeReport(pool, { line: l.id }, from, to)),
  );
  return topStops(reportStopsOf(all.flatMap((s) => s ?? [])), top);
}

/** Orders due within [from, to) whose last operation was done after the due date, or not by `to`. */
async function lateOrderRuns(pool: Pool, from: number, to: number): Promise<LateOrderRun[]> {
  const { rows } = await pool.query<{
    id: string;
    product: string | null;
    customer: string | null;
    due_at: Date;
    completed_at: Date | null;
    started_at: Date | null;
    machines: string[];
  }>(
    `SELECT w.id, w.product_id AS product, w.customer, w.due_at,
            (SELECT o.completed_at FROM work_order_operations o WHERE o.work_order_id = w.id
              ORDER BY o.position DESC LIMIT 1) AS completed_at,
            (SELECT min(o.started_at) FROM work_order_operations o WHERE o.work_order_id = w.id) AS started_at,
            (SELECT array_agg(DISTINCT o.machine_id) FROM work_order_operations o WHERE o.work_order_id = w.id) AS machines
       FROM work_orders w
      WHERE w.due_at >= $1 AND w.due_at < $2`,
    [new Date(from), new Date(to)],
  );
  return rows
    .filter((r) => r.completed_at === null || r.completed_at > r.due_at)
    .filter((r) => r.completed_at !== null || r.due_at.getTime() < Math.min(to, Date.now()))
    .sort((a, b) => a.due_at.getTime() - b.due_at.getTime())
    .slice(0, 20)
    .map((r) => ({
      id: r.id,
      product: r.product ?? '',
      customer: r.customer,
      dueAt: r.due_at.getTime(),
      completedAt: r.completed_at?.getTime() ?? null,
      from: (r.started_at ?? r.due_at).getTime(),
      to: Math.min((r.completed_at ?? new Date(to)).getTime(), to),
      machines: r.machines ?? [],
    }));
}

/** Reads a plant month and the one before it. */
export async function monthlyFigures(
  pool: Pool,
  plant: PlantModel,
  month: string,
): Promise<MonthlyFigures> {
  const { site } = plant;
  const from = monthStart(month, site.timeZone);
  // The current month ends now: its future is not time the machines stood without data.
  const to = Math.min(monthStart(shiftMonth(month, 1), site.timeZone), Date.now());
  const previous = monthStart(shiftMonth(month, -1), site.timeZone);
  const now = await shiftReportOf(pool, { site: site.id }, from, to);
  const before = await shiftReportOf(pool, { site: site.id }, previous, from);
  const runs = await lateOrderRuns(pool, from, to);
  const late = [];
  for (const run of runs) {
    const stops = await Promise.all(
      run.machines.map((machine) => downtimeReport(pool, { machine }, run.from, run.to)),
    );
    // No data is not a cause anyone can act on: the longest explained or unexplained stop.
    const known = reportStopsOf(stops.flatMap((s) => s ?? [])).filter(
      (s) => s.reason !== 'no-data',
    );
    const cause = topStops(known, 1)[0];
    late.push({ ...run, cause, monthEnd: Math.min(to, Date.now()) });
  }
  return {
    month,
    site: { id: site.id, name: site.name, timeZone: site.timeZone },
    now: now?.total,
    before: before?.total,
    stopsNow: await stopsOf(pool, plant, from, to, 10),
    stopsBefore: await stopsOf(pool, plant, previous, from, 50),
    late,
  };
}
