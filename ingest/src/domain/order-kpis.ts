/**
 * Order-level figures as pure functions (docs/architecture.md "Conventions" 4): when operations ran and who worked them
 * (from the scan history), the health score of an order, and the plant's delivery KPIs.
 */
import { intersect, measure, normalize, type Interval } from './intervals';
import type { OrderStatus } from './work-orders';

/** A scan applied to an order, as its history records it. */
export interface ScanRecord {
  ts: number;
  operation: string;
  action: 'start' | 'pause' | 'complete';
  operator?: string | null;
}

/**
 * When each operation ran: from a start to the next pause or complete of that operation;
 * one still running at `now` runs until `now`.
 */
export function operationRuns(scans: readonly ScanRecord[], now: number): Map<string, Interval[]> {
  const open = new Map<string, number>();
  const runs = new Map<string, Interval[]>();
  const close = (op: string, ts: number) => {
    const start = open.get(op);
    if (start === undefined) return;
    open.delete(op);
    if (ts > start) runs.set(op, [...(runs.get(op) ?? []), { from: start, to: ts }]);
  };
  for (const s of [...scans].sort((a, b) => a.ts - b.ts)) {
    if (s.action === 'start') {
      if (!open.has(s.operation)) open.set(s.operation, s.ts);
    } else close(s.operation, s.ts);
  }
  for (const op of [...open.keys()]) close(op, now);
  for (const [op, list] of runs) runs.set(op, normalize(list));
  return runs;
}

/**
 * Operator time: an operator badged on a start scan works that operation until it is paused
 * or completed. Returns hours per operator within [from, to).
 */
export function operatorHours(
  scans: readonly ScanRecord[],
  from: number,
  to: number,
): Map<string, number> {
  const open = new Map<string, { operator: string; ts: number }[]>();
  const time = new Map<string, Interval[]>();
  const add = (operator: string, i: Interval) =>
    time.set(operator, [...(time.get(operator) ?? []), i]);
  for (const s of [...scans].sort((a, b) => a.ts - b.ts)) {
    if (s.action === 'start') {
      if (s.operator)
        open.set(s.operation, [
          ...(open.get(s.operation) ?? []),
          { operator: s.operator, ts: s.ts },
        ]);
      continue;
    }
    for (const o of open.get(s.operation) ?? []) add(o.operator, { from: o.ts, to: s.ts });
    open.delete(s.operation);
  }
  for (const list of open.values()) for (const o of list) add(o.operator, { from: o.ts, to });
  const out = new Map<string, number>();
  for (const [operator, list] of time) {
    // One person on two operations at once is still one hour per hour.
    const ms = measure(intersect(normalize(list), [{ from, to }]));
    if (ms > 0) out.set(operator, ms / 3_600_000);
  }
  return out;
}

export interface HealthInput {
  status: OrderStatus;
  createdAt: number;
  dueAt: number | null;
  eta: number | null;
  stalled: boolean;
  good: number;
  rejected: number;
  now: number;
  /** Scrap rate the plant tolerates (1 − its quality target); 5 % when it sets none. */
  scrapTolerance?: number;
}

export interface OrderHealth {
  /** 0–100: half schedule, a quarter flow, a quarter quality. */
  score: number;
  parts: { schedule: number; flow: number; quality: number };
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/**
 * One number a planner can sort by, with its parts shown (docs/work-orders.md):
 * - schedule: 1 when the ETA meets the due date, falling to 0 as the ETA slips by the
 *   order's own lead time (created → due); 0.5 when no ETA can be given yet, 0 past due;
 * - flow: 0 stalled, 0.5 paused, else 1;
 * - quality: 1 without scrap, 0.5 at the tolerated scrap rate, 0 at twice it.
 */
export function orderHealth(o: HealthInput): OrderHealth {
  const span = Math.max(3_600_000, (o.dueAt ?? 0) - o.createdAt);
  const schedule =
    o.dueAt === null
      ? 1
      : o.eta === null
        ? o.now >= o.dueAt
          ? 0
          : 0.5
        : o.eta <= o.dueAt
          ? 1
          : clamp01(1 - (o.eta - o.dueAt) / span);
  const flow = o.stalled ? 0 : o.status === 'paused' ? 0.5 : 1;
  const made = o.good + o.rejected;
  const tolerance = Math.max(0.001, o.scrapTolerance ?? 0.05);
  const quality = made === 0 ? 1 : clamp01(1 - o.rejected / made / (2 * tolerance));
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    score: Math.round(100 * (0.5 * schedule + 0.25 * flow + 0.25 * quality)),
    parts: { schedule: round(schedule), flow: round(flow), quality: round(quality) },
  };
}

export interface CompletedOrder {
  createdAt: number;
  completedAt: number;
  dueAt: number | null;
}

export interface DeliveryKpis {
  completed: number;
  /** Completed orders that had a due date, and those done by it. */
  withDueDate: number;
  onTime: number;
  onTimeRate: number | null;
  leadTime: { meanMs: number; stdDevMs: number; cv: number } | null;
}

/** On-time delivery rate and lead time (created → completed) with its coefficient of variation. */
export function deliveryKpis(orders: readonly CompletedOrder[]): DeliveryKpis {
  const dated = orders.filter((o) => o.dueAt !== null);
  const onTime = dated.filter((o) => o.completedAt <= o.dueAt!).length;
  const leads = orders.map((o) => o.completedAt - o.createdAt);
  const mean = leads.reduce((s, x) => s + x, 0) / (leads.length || 1);
  const stdDev = Math.sqrt(leads.reduce((s, x) => s + (x - mean) ** 2, 0) / (leads.length || 1));
  return {
    completed: orders.length,
    withDueDate: dated.length,
    onTime,
    onTimeRate: dated.length > 0 ? onTime / dated.length : null,
    leadTime:
      leads.length > 0
        ? { meanMs: mean, stdDevMs: stdDev, cv: mean > 0 ? stdDev / mean : 0 }
        : null,
  };
}
