/**
 * The plant Gantt of the plan (issue 21, docs/dashboard.md "Planning"): one row per machine
 * (grouped by line, in the order `GET /api/plan` lists them), one bar per planned operation
 * coloured by its order's health, the order's due date marked on the row of its last
 * operation, and the calculator's answer as ghost bars. Pure: the Planning page and the
 * planning board draw what this returns.
 */
import type { PlanView, PlannedOrderView, PromiseAnswer } from '@takt/protocol/api';

/** How an order's bars are coloured (docs/decisions.md "Issue 21 — the Planning page"). */
export type PlanTone = 'on-track' | 'at-risk' | 'late';
export const PLAN_TONES: readonly PlanTone[] = ['on-track', 'at-risk', 'late'];

/** Below this health score an order on time by the plan is still "at risk" (amber). */
export const AT_RISK_SCORE = 70;

/** Red: the plan's promise is after the due date; amber: a low health score; else green. */
export function orderTone(order: Pick<PlannedOrderView, 'lateRisk' | 'health'>): PlanTone {
  if (order.lateRisk) return 'late';
  if (order.health.score < AT_RISK_SCORE) return 'at-risk';
  return 'on-track';
}

export interface GanttRow {
  machine: string;
  name: string;
  line: string | null;
}

export interface PlanBar {
  row: number;
  order: string;
  operation: string;
  machine: string;
  product: string;
  remaining: number;
  fromMs: number;
  toMs: number;
  p10Ms: number;
  p90Ms: number;
  changeoverMs: number;
  running: boolean;
  tone: PlanTone;
  /** How much the calculator's new order would push this order's promise; null: not at all. */
  delayedByMs: number | null;
}

export interface GhostBar {
  row: number;
  operation: string;
  machine: string;
  fromMs: number;
  toMs: number;
}

export interface DueMark {
  row: number;
  order: string;
  atMs: number;
  tone: PlanTone;
}

export interface PlanGantt {
  rows: GanttRow[];
  bars: PlanBar[];
  ghosts: GhostBar[];
  /** The new order's p10–p90 band, on the row of its last operation. */
  band: { row: number; fromMs: number; toMs: number; promisedMs: number } | null;
  dues: DueMark[];
}

/**
 * The rows and bars for `plan`, only the machines of `line` when given (null: all). A
 * machine an operation names that the plan's machine list lacks still gets a row, last: an
 * operation is never dropped from the chart.
 */
export function planGantt(
  plan: Pick<PlanView, 'machines' | 'operations' | 'orders'>,
  line: string | null,
  answer: Pick<PromiseAnswer, 'operations' | 'delays' | 'p10' | 'p90' | 'promisedAt'> | null,
): PlanGantt {
  const inLine = (l: string | null) => line === null || l === line;
  const rows: GanttRow[] = plan.machines
    .filter((m) => inLine(m.line))
    .map((m) => ({ machine: m.id, name: m.name, line: m.line }));
  const known = new Set(plan.machines.map((m) => m.id));
  if (line === null)
    for (const op of [...plan.operations, ...(answer?.operations ?? [])])
      if (!known.has(op.machine)) {
        known.add(op.machine);
        rows.push({ machine: op.machine, name: op.machine, line: null });
      }
  const rowOf = new Map(rows.map((r, i) => [r.machine, i]));
  const orders = new Map(plan.orders.map((o) => [o.order, o]));
  const delays = new Map((answer?.delays ?? []).map((d) => [d.order, d.byMs]));

  const bars: PlanBar[] = [];
  const lastOp = new Map<string, PlanBar>();
  for (const op of plan.operations) {
    const row = rowOf.get(op.machine);
    if (row === undefined) continue;
    const order = orders.get(op.order);
    const bar: PlanBar = {
      row,
      order: op.order,
      operation: op.operation,
      machine: op.machine,
      product: op.product,
      remaining: op.remaining,
      fromMs: Date.parse(op.plannedStart),
      toMs: Date.parse(op.plannedFinish),
      p10Ms: Date.parse(op.p10Finish),
      p90Ms: Date.parse(op.p90Finish),
      changeoverMs: op.changeoverMs,
      running: op.running,
      tone: order ? orderTone(order) : 'on-track',
      delayedByMs: delays.get(op.order) ?? null,
    };
    bars.push(bar);
    const last = lastOp.get(op.order);
    if (!last || bar.toMs >= last.toMs) lastOp.set(op.order, bar);
  }

  const dues: DueMark[] = [];
  for (const [id, bar] of lastOp) {
    const order = orders.get(id);
    if (order?.dueAt)
      dues.push({ row: bar.row, order: id, atMs: Date.parse(order.dueAt), tone: bar.tone });
  }

  const ghosts: GhostBar[] = [];
  for (const op of answer?.operations ?? []) {
    const row = rowOf.get(op.machine);
    if (row === undefined) continue;
    ghosts.push({
      row,
      operation: op.operation,
      machine: op.machine,
      fromMs: Date.parse(op.plannedStart),
      toMs: Date.parse(op.plannedFinish),
    });
  }
  const lastGhost = ghosts.reduce<GhostBar | null>((a, g) => (a && a.toMs > g.toMs ? a : g), null);
  const band =
    answer && lastGhost
      ? {
          row: lastGhost.row,
          fromMs: Date.parse(answer.p10),
          toMs: Date.parse(answer.p90),
          promisedMs: Date.parse(answer.promisedAt),
        }
      : null;
  return { rows, bars, ghosts, band, dues };
}

/** The whole time the chart may scroll over: every bar, due date and band, and now. */
export function planRange(gantt: PlanGantt, nowMs: number): { minMs: number; maxMs: number } {
  let min = nowMs;
  let max = nowMs + 3_600_000;
  const take = (ms: number) => {
    if (!Number.isFinite(ms)) return;
    if (ms < min) min = ms;
    if (ms > max) max = ms;
  };
  for (const b of gantt.bars) {
    take(b.fromMs);
    take(Math.max(b.toMs, b.p90Ms));
  }
  for (const g of gantt.ghosts) take(g.toMs);
  for (const d of gantt.dues) take(d.atMs);
  if (gantt.band) take(gantt.band.toMs);
  const pad = (max - min) * 0.02;
  return { minMs: min - pad, maxMs: max + pad };
}

/** When the last bar, ghost or band ends (null: nothing planned). */
export function planEnd(gantt: PlanGantt): number | null {
  const ends = [
    ...gantt.bars.map((b) => Math.max(b.toMs, b.p90Ms)),
    ...gantt.ghosts.map((g) => g.toMs),
    ...(gantt.band ? [gantt.band.toMs] : []),
  ].filter(Number.isFinite);
  return ends.length > 0 ? Math.max(...ends) : null;
}

/** The shortest window shown first, so a plan of a few hours is not a sliver. */
export const MIN_WINDOW_MS = 6 * 3_600_000;

/**
 * The window shown first: from a little before now to the end of the planned work (with a
 * little air), at least `MIN_WINDOW_MS` and at most `spanMs`, inside the range.
 */
export function initialWindow(
  range: { minMs: number; maxMs: number },
  nowMs: number,
  spanMs: number,
  endMs: number | null = null,
): { startMs: number; endMs: number } {
  const startMs = Math.max(range.minMs, nowMs - spanMs / 24);
  const wanted = endMs === null ? spanMs : (endMs - startMs) * 1.1;
  const length = Math.min(spanMs, Math.max(MIN_WINDOW_MS, wanted));
  return { startMs, endMs: Math.min(range.maxMs, startMs + length) };
}
