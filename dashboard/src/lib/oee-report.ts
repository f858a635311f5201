/**
 * What the analytics page does with the API's OEE figures (ISO 22400-2), as pure functions:
 * combine machines and periods, group the trend, the downtime Pareto, the six big losses
 * and the shift report table with its CSV.
 */

/** The figures `/api/oee` and each row of `/api/oee/shifts` carry. */
export interface OeeFigures {
  plannedBusyMs: number;
  runMs: number;
  totalCount: number;
  goodCount: number;
  availability: number | null;
  performance: number | null;
  quality: number | null;
  oee: number | null;
  /**
   * Time that would have been planned before the machine's first data: not monitored, left
   * out of plannedBusyMs (docs/production-model.md). Absent from an older server.
   */
  notMonitoredMs?: number;
}

export interface SixBigLosses {
  breakdownsMs: number;
  setupsMs: number;
  smallStopsMs: number;
  reducedSpeedMs: number;
  startupRejectsMs: number;
  productionRejectsMs: number;
  fullyProductiveMs: number;
}

/** One row of `/api/oee/shifts` for one machine, or one day of `/api/oee` when there is no calendar. */
export interface PeriodRow extends OeeFigures {
  machine: string;
  /** The shift's id (`day` for a whole day). */
  shift: string;
  /** The shift's name as the plant wrote it ('' for a day). */
  name: string;
  /** The plant day the shift starts on, YYYY-MM-DD. */
  date: string;
  from: string;
  to: string;
  losses: SixBigLosses | null;
}

const ratio = (num: number, den: number) => (den > 0 ? num / den : null);

/**
 * Several machines or periods as one: the ideal times behind P and Q are recovered
 * (ideal total = P × run, ideal good = Q × ideal total), summed, then divided again, so
 * the result is what the server would give for the union, not an average of ratios.
 */
export function combineOee(parts: readonly OeeFigures[]): OeeFigures {
  let planned = 0;
  let notMonitored = 0;
  let run = 0;
  let total = 0;
  let good = 0;
  let idealTotal = 0;
  let idealGood = 0;
  let known = true;
  for (const p of parts) {
    planned += p.plannedBusyMs;
    notMonitored += p.notMonitoredMs ?? 0;
    run += p.runMs;
    total += p.totalCount;
    good += p.goodCount;
    if (p.totalCount === 0) continue;
    if (p.performance === null || p.quality === null) known = false;
    else {
      const it = p.performance * p.runMs;
      idealTotal += it;
      idealGood += p.quality * it;
    }
  }
  return {
    plannedBusyMs: planned,
    notMonitoredMs: notMonitored,
    runMs: run,
    totalCount: total,
    goodCount: good,
    availability: ratio(run, planned),
    performance: known ? ratio(idealTotal, run) : null,
    quality: known ? ratio(idealGood, idealTotal) : null,
    oee: known ? ratio(idealGood, planned) : null,
  };
}

export interface TrendPoint extends OeeFigures {
  key: string;
  /** Shown under the axis: "2026-11-23 Early" or "2026-11-23". */
  label: string;
  fromMs: number;
}

/** The trend's points: machines added up per shift occurrence, or per plant day. */
export function trendPoints(rows: readonly PeriodRow[], bucket: 'shift' | 'day'): TrendPoint[] {
  const groups = new Map<string, { rows: PeriodRow[]; label: string; fromMs: number }>();
  for (const r of rows) {
    const key = bucket === 'day' ? r.date : `${r.date} ${r.shift}`;
    const label = bucket === 'day' || !r.name ? r.date : `${r.date} ${r.name}`;
    const g = groups.get(key) ?? { rows: [], label, fromMs: Date.parse(r.from) };
    g.rows.push(r);
    g.fromMs = Math.min(g.fromMs, Date.parse(r.from));
    groups.set(key, g);
  }
  return [...groups.entries()]
    .map(([key, g]) => ({ key, label: g.label, fromMs: g.fromMs, ...combineOee(g.rows) }))
    .sort((a, b) => a.fromMs - b.fromMs);
}

export const LOSS_KEYS = [
  'breakdownsMs',
  'setupsMs',
  'smallStopsMs',
  'reducedSpeedMs',
  'startupRejectsMs',
  'productionRejectsMs',
] as const satisfies readonly (keyof SixBigLosses)[];

/** The six big losses of all rows added up (they are times); null if one is unknown. */
export function sumLosses(rows: readonly { losses: SixBigLosses | null }[]): SixBigLosses | null {
  if (rows.length === 0 || rows.some((r) => r.losses === null)) return null;
  const out: SixBigLosses = {
    breakdownsMs: 0,
    setupsMs: 0,
    smallStopsMs: 0,
    reducedSpeedMs: 0,
    startupRejectsMs: 0,
    productionRejectsMs: 0,
    fullyProductiveMs: 0,
  };
  for (const r of rows)
    for (const k of Object.keys(out) as (keyof SixBigLosses)[]) out[k] += r.losses![k];
  return out;
}

export interface DowntimeEntry {
  reason: string;
  state: string;
  durationMs: number;
  stops: number;
}

/** Downtime of several scopes (lines) as one list: the same state and reason add up. */
export function mergeDowntime(lists: readonly (readonly DowntimeEntry[])[]): DowntimeEntry[] {
  const byKey = new Map<string, DowntimeEntry>();
  for (const list of lists)
    for (const e of list) {
      const key = `${e.state}\u0000${e.reason}`;
      const sum = byKey.get(key) ?? { ...e, durationMs: 0, stops: 0 };
      sum.durationMs += e.durationMs;
      sum.stops += e.stops;
      byKey.set(key, sum);
    }
  return [...byKey.values()].sort((a, b) => b.durationMs - a.durationMs);
}

export interface ParetoRow {
  label: string;
  durationMs: number;
  stops: number;
  /** Share of all downtime up to and including this bar, 0–100. */
  cumulativePct: number;
}

/** Pareto: longest first, with the running share of the total (the line over the bars). */
export function paretoRows(
  entries: readonly DowntimeEntry[],
  labelOf: (e: DowntimeEntry) => string,
): ParetoRow[] {
  const sorted = [...entries].sort((a, b) => b.durationMs - a.durationMs);
  const total = sorted.reduce((s, e) => s + e.durationMs, 0);
  let running = 0;
  return sorted.map((e) => {
    running += e.durationMs;
    return {
      label: labelOf(e),
      durationMs: e.durationMs,
      stops: e.stops,
      cumulativePct: total > 0 ? Math.round((running / total) * 1000) / 10 : 0,
    };
  });
}

const pct = (v: number | null) => (v === null ? '' : (v * 100).toFixed(1));
const minutes = (ms: number) => (ms / 60_000).toFixed(1);

/**
 * The shift report as a table of strings (what the page shows and the CSV holds, the same):
 * one row per shift × machine, oldest shift first, machines in the order given.
 */
export function shiftReportCells(
  rows: readonly PeriodRow[],
  machineOrder: readonly string[],
  timeOf: (epochMs: number) => string,
): string[][] {
  const rank = (m: string) => {
    const i = machineOrder.indexOf(m);
    return i < 0 ? machineOrder.length : i;
  };
  return [...rows]
    .sort((a, b) => Date.parse(a.from) - Date.parse(b.from) || rank(a.machine) - rank(b.machine))
    .map((r) => [
      r.date,
      r.name,
      r.machine,
      timeOf(Date.parse(r.from)),
      timeOf(Date.parse(r.to)),
      minutes(r.plannedBusyMs),
      minutes(r.runMs),
      minutes(r.notMonitoredMs ?? 0),
      String(r.goodCount),
      String(r.totalCount - r.goodCount),
      pct(r.availability),
      pct(r.performance),
      pct(r.quality),
      pct(r.oee),
    ]);
}

const csvCell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/** RFC 4180 CSV (CRLF line ends), with a BOM so Excel reads the Chinese headers as UTF-8. */
export function toCsv(header: readonly string[], cells: readonly (readonly string[])[]): string {
  const lines = [header, ...cells].map((row) => row.map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
