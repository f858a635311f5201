/**
 * What a pushed report says (docs/decisions.md "Issue 19 — reports that come to people"):
 * pure functions from the figures to the content, and from the content to the key table in
 * one language. No I/O; the figures are read in gather.ts, drawn in chart.ts.
 */
import {
  SERVER_MESSAGES,
  formatDurationText,
  renderMessage,
  type Message,
  type MessageLang,
  type OeeReport,
  type PlantModel,
} from '@takt/protocol';

export type ReportKind = 'shift' | 'daily';

/** The period a report covers: one shift worked, or one plant day. */
export interface ReportPeriodRef {
  kind: ReportKind;
  /** The plant day, YYYY-MM-DD. */
  date: string;
  /** The shift's id (`day` for a daily summary) and the name the plant gave it. */
  shift: string;
  shiftName: string;
  from: number;
  to: number;
}

export interface ReportMachine {
  id: string;
  name: string;
  figures: OeeReport;
  /** Pieces the ideal cycle allows in the planned busy time; null when it is unknown. */
  target: number | null;
}

export interface ReportStop {
  /** A reason code, or `unassigned`. */
  reason: string;
  durationMs: number;
  stops: number;
}

export interface LateOrder {
  id: string;
  product: string;
  quantity: number;
  done: number;
  dueAt: number;
}

export interface ReportContent {
  period: ReportPeriodRef;
  site: { id: string; name: string; timeZone: string };
  machines: ReportMachine[];
  total: OeeReport;
  /** Longest first, at most TOP_STOPS. */
  stops: ReportStop[];
  late: LateOrder[];
}

export const TOP_STOPS = 5;

/** Pieces the ideal cycle allows in the planned time: total / (availability × performance). */
export function targetOf(f: OeeReport): number | null {
  const a = f.availability;
  const p = f.performance;
  if (a === null || p === null || a * p === 0) return null;
  return Math.round(f.totalCount / (a * p));
}

/**
 * Stops as reports name them: a stop in the `unknown` state (no data from the machine) is
 * `no-data`, not "not explained" — nobody could have explained it.
 */
export function reportStopsOf(
  entries: readonly { reason: string; state: string; durationMs: number; stops: number }[],
): ReportStop[] {
  return entries.map((e) => ({
    reason: e.state === 'unknown' ? 'no-data' : e.reason,
    durationMs: e.durationMs,
    stops: e.stops,
  }));
}

/** Stops merged by reason (across lines), longest first, cut to `top`. */
export function topStops(entries: readonly ReportStop[], top = TOP_STOPS): ReportStop[] {
  const by = new Map<string, ReportStop>();
  for (const e of entries) {
    const seen = by.get(e.reason) ?? { reason: e.reason, durationMs: 0, stops: 0 };
    by.set(e.reason, {
      reason: e.reason,
      durationMs: seen.durationMs + e.durationMs,
      stops: seen.stops + e.stops,
    });
  }
  return [...by.values()]
    .filter((s) => s.durationMs > 0)
    .sort((a, b) => b.durationMs - a.durationMs || a.reason.localeCompare(b.reason))
    .slice(0, top);
}

/** The plant's name for a reason code (the reason tree, any depth); the code itself if unknown. */
export function reasonLabel(
  plant: PlantModel | undefined,
  reason: string,
  lang: MessageLang,
): string {
  if (reason === 'unassigned') return text({ key: 'report.reason.unassigned' }, lang);
  if (reason === 'no-data') return text({ key: 'report.reason.noData' }, lang);
  type Node = { id: string; name: string; children?: Node[] | undefined };
  const find = (nodes: readonly Node[]): string | undefined => {
    for (const n of nodes) {
      if (n.id === reason) return n.name;
      const inner = n.children && find(n.children);
      if (inner) return inner;
    }
    return undefined;
  };
  return find((plant?.reasons.downtime ?? []) as Node[]) ?? reason;
}

/** A catalog message as text in `lang` (times need the zone; labels do not). */
export function text(message: Message, lang: MessageLang, timeZone = 'UTC'): string {
  return renderMessage(SERVER_MESSAGES, message, lang, { timeZone });
}

const percent = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);
const count = (v: number | null) => (v === null ? '–' : String(v));

/** The report's title in `lang`: site, shift or day, the plant date. */
export function reportTitle(content: ReportContent, lang: MessageLang): string {
  const { period, site } = content;
  const key = period.kind === 'shift' ? 'report.shift.title' : 'report.daily.title';
  return text(
    { key, params: { site: site.name, shift: period.shiftName, date: period.date } },
    lang,
  );
}

/** The window in plant time (`11-20 06:00 – 11-20 14:00`). */
export function reportWindow(content: ReportContent, lang: MessageLang, now?: number): string {
  const { period, site } = content;
  return renderMessage(
    SERVER_MESSAGES,
    {
      key: 'report.window',
      params: {
        from: { time: new Date(period.from).toISOString() },
        to: { time: new Date(period.to).toISOString() },
      },
    },
    lang,
    { timeZone: site.timeZone, ...(now === undefined ? {} : { now }) },
  );
}

export interface ReportTable {
  head: string[];
  rows: string[][];
}

/** The key table: one row per machine, then the total, in `lang`. */
export function reportTable(content: ReportContent, lang: MessageLang): ReportTable {
  const col = (name: string) => text({ key: `report.col.${name}` }, lang);
  const head = ['machine', 'oee', 'availability', 'performance', 'quality', 'good', 'target']
    .map(col)
    .concat(col('reject'), col('down'));
  const row = (name: string, f: OeeReport, target: number | null) => [
    name,
    percent(f.oee),
    percent(f.availability),
    percent(f.performance),
    percent(f.quality),
    String(f.goodCount),
    count(target),
    String(f.totalCount - f.goodCount),
    formatDurationText(f.downMs / 1000, lang),
  ];
  return {
    head,
    rows: [
      ...content.machines.map((m) => row(m.name, m.figures, m.target)),
      row(text({ key: 'report.total' }, lang), content.total, targetOf(content.total)),
    ],
  };
}

/** A stop reason's line: `Jam: 1 h 5 min (3 stops)` in `lang`. */
export function stopLine(
  plant: PlantModel | undefined,
  stop: ReportStop,
  lang: MessageLang,
): string {
  return text(
    {
      key: 'report.stops.row',
      params: {
        reason: reasonLabel(plant, stop.reason, lang),
        duration: { durationS: stop.durationMs / 1000 },
        stops: stop.stops,
      },
    },
    lang,
  );
}

/** The late orders as lines of text in `lang` (due dates in plant time). */
export function lateLines(content: ReportContent, lang: MessageLang, now?: number): string[] {
  return content.late.map((o) =>
    renderMessage(
      SERVER_MESSAGES,
      {
        key: 'report.late.row',
        params: {
          order: o.id,
          product: o.product,
          due: { time: new Date(o.dueAt).toISOString() },
          done: o.done,
          quantity: o.quantity,
        },
      },
      lang,
      { timeZone: content.site.timeZone, ...(now === undefined ? {} : { now }) },
    ),
  );
}
