/**
 * What the analytics page does with the shift report's figures (`/api/oee/shift-report`,
 * ISO 22400-2, added up by ingest), as pure functions: the trend's points, the downtime
 * Pareto, the six big losses' keys and the shift report table with its CSV. Nothing here
 * re-derives a figure: machines and shifts are added up on the server.
 */
import type {
  DowntimeEntry,
  OeeReport,
  ShiftReport,
  ShiftReportRow,
  SixBigLosses,
} from '@takt/protocol/api';

export type { DowntimeEntry, ShiftReportRow, SixBigLosses };

export interface TrendPoint extends OeeReport {
  key: string;
  /** Shown under the axis: "2026-11-23 Early" or "2026-11-23". */
  label: string;
  fromMs: number;
}

/** The trend's points, oldest first: per shift occurrence, or per plant day. */
export function trendPoints(
  report: Pick<ShiftReport, 'shifts' | 'days'>,
  bucket: 'shift' | 'day',
): TrendPoint[] {
  const points =
    bucket === 'day'
      ? report.days.map((d) => ({ ...d, key: d.date, label: d.date }))
      : report.shifts.map((s) => ({
          ...s,
          key: `${s.date} ${s.shift}`,
          label: s.name ? `${s.date} ${s.name}` : s.date,
        }));
  return points
    .map((p) => ({ ...p, fromMs: Date.parse(p.from) }))
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
  rows: readonly ShiftReportRow[],
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
      minutes(r.notMonitoredMs),
      String(r.goodCount),
      String(r.totalCount - r.goodCount),
      pct(r.availability),
      pct(r.performance),
      pct(r.quality),
      pct(r.oee),
    ]);
}

/**
 * Text that a spreadsheet would run as a formula (= + - @, tab, CR) gets a leading `'`, as
 * ingest's CSV writer does (ingest/src/http/csv.ts); cells that are numbers (the page's
 * figures, written as text here) stay numbers.
 */
const defused = (s: string) =>
  /^[=+\-@\t\r]/.test(s) && !Number.isFinite(Number(s)) ? `'${s}` : s;
const csvCell = (cell: string) => {
  const s = defused(cell);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** RFC 4180 CSV (CRLF line ends), with a BOM so Excel reads the Chinese headers as UTF-8. */
export function toCsv(header: readonly string[], cells: readonly (readonly string[])[]): string {
  const lines = [header, ...cells].map((row) => row.map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
