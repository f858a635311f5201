/**
 * One order's figures as the plant reads them — progress per operation and of the order,
 * ETA over the whole remaining routing, late risk, stall, health — from plain data
 * (docs/architecture.md "Conventions" 4). The board, the order page, the customer page and the stall / late alerts all
 * call `orderFigures`, so they cannot disagree. The ETA is the plan's (ingest/src/planning/,
 * docs/decisions.md "Issue 21 — the plan in ingest, the single ETA"); the rate sum below is
 * only for an order the plan has no entry for. The rules: docs/work-orders.md
 * ("Progress, ETA, stalled").
 */
import { orderHealth, type OrderHealth } from './order-kpis';
import { orderStatus, type Operation, type OrderStatus, type WorkOrder } from './work-orders';

const HOUR_MS = 3_600_000;
/** No good piece for this long while running: stalled (docs/work-orders.md). */
export const STALL_AFTER_MS = 2 * HOUR_MS;
/** Each operation's recent rate is measured over this window (docs/work-orders.md). */
export const RATE_WINDOW_MS = HOUR_MS;

/** What the counts and scans say of one operation, measured by the caller up to `now`. */
export interface OperationActivity {
  /** Good pieces of this operation counted in (now − rate window, now]. */
  recentGood: number;
  /** Its newest good piece (epoch ms), or null. */
  lastGoodAt: number | null;
  /** Its newest start scan (epoch ms): a resumed operation is judged from there. */
  lastStartAt: number | null;
  /** Ideal cycle of the order's product on this operation's machine (plant model), or null. */
  idealCycleMs: number | null;
}

/** What the current plan says of one order (ingest/src/planning/ keeps it). */
export interface OrderPlanned {
  /** The promise date: the planned finish of its last operation (epoch ms). */
  finish: number;
  /** The band from the rate spread (epoch ms). */
  p10: number;
  p90: number;
  /** Each planned operation's finish, by operation id. */
  operations: ReadonlyMap<string, { plannedFinish: number }>;
}

export interface OrderFiguresInput {
  order: WorkOrder;
  /** The plan's entry for this order; left out (not planned yet, or unplannable): the rate sum. */
  planned?: OrderPlanned | undefined;
  createdAt: number;
  /** By operation id; an operation missing here has no pieces and no ideal cycle. */
  activity: ReadonlyMap<string, OperationActivity>;
  now: number;
  rateWindowMs: number;
  stallAfterMs: number;
  /** Scrap rate the plant tolerates (orderHealth); 5 % when unset. */
  scrapTolerance?: number;
}

export interface OperationFigures extends Operation {
  /** This operation's good / quantity, 0..1. */
  progress: number;
  /** Good pieces it still has to make (0 once done). */
  remaining: number;
  /** Pieces per hour the ETA assumes for it; null when it has neither a rate nor an ideal cycle. */
  ratePerHour: number | null;
  rateSource: 'recent' | 'ideal' | null;
  /** When it should be done, running after the operations before it (epoch ms), or null. */
  eta: number | null;
}

export interface OrderFigures {
  status: OrderStatus;
  /** Good pieces out of the last operation: what can ship. */
  good: number;
  rejected: number;
  /** good / quantity, 0..1 (capped: over-production is shown in `good`). */
  progress: number;
  /** When the whole remaining routing should be done (epoch ms), or null. */
  eta: number | null;
  /** The plan's band around `eta` (epoch ms); null without a plan entry or once completed. */
  p10: number | null;
  p90: number | null;
  /** Where the ETA comes from: the plan, or the rate sum of an order the plan has not placed. */
  etaSource: 'plan' | 'rates';
  lateRisk: boolean;
  stalled: boolean;
  health: OrderHealth;
  operations: OperationFigures[];
}

const NO_ACTIVITY: OperationActivity = {
  recentGood: 0,
  lastGoodAt: null,
  lastStartAt: null,
  idealCycleMs: null,
};

/**
 * The recent rate is measured over the rate window, or over the time since the operation
 * first started when that is shorter (at least a twelfth of the window, so one piece just
 * after a start does not promise a wild rate). Without recent pieces: the ideal cycle.
 */
function rateOf(op: Operation, a: OperationActivity, now: number, windowMs: number) {
  if (a.recentGood > 0) {
    const since = op.startedAt === null ? windowMs : now - op.startedAt;
    const spanMs = Math.min(windowMs, Math.max(windowMs / 12, since));
    return { ratePerHour: (a.recentGood / spanMs) * HOUR_MS, rateSource: 'recent' as const };
  }
  if (a.idealCycleMs !== null && a.idealCycleMs > 0)
    return { ratePerHour: HOUR_MS / a.idealCycleMs, rateSource: 'ideal' as const };
  return { ratePerHour: null, rateSource: null };
}

/**
 * Operations run one after another in routing order: each one's remaining pieces at its own
 * rate, added up from `now`. A done operation keeps its completion time; a released order
 * (nothing started) has no ETA, since when it starts is the planner's call.
 */
function operationFigures(input: OrderFiguresInput, status: OrderStatus): OperationFigures[] {
  const { order, now, rateWindowMs, planned } = input;
  let cursor: number | null = now;
  return order.operations.map((op) => {
    const a = input.activity.get(op.id) ?? NO_ACTIVITY;
    const rate = rateOf(op, a, now, rateWindowMs);
    const remaining = op.status === 'done' ? 0 : Math.max(0, order.quantity - op.good);
    const plannedFinish = planned?.operations.get(op.id)?.plannedFinish;
    let eta: number | null;
    if (op.status === 'done') eta = op.completedAt;
    else if (plannedFinish !== undefined) eta = plannedFinish;
    else if (status === 'released' || cursor === null) eta = null;
    else if (remaining === 0) eta = cursor;
    else if (rate.ratePerHour === null) eta = null;
    else eta = cursor + (remaining / rate.ratePerHour) * HOUR_MS;
    if (op.status !== 'done') cursor = eta;
    const progress = order.quantity > 0 ? Math.min(1, op.good / order.quantity) : 0;
    return { ...op, progress, remaining, ...rate, eta };
  });
}

/**
 * Stalled: the order runs and no running operation has had a good piece for the stall
 * window, each judged from its newest good piece or its newest start, whichever is later.
 */
function isStalledAt(input: OrderFiguresInput, status: OrderStatus): boolean {
  if (status !== 'in_progress') return false;
  const since = input.order.operations
    .filter((op) => op.status === 'running')
    .map((op) => {
      const a = input.activity.get(op.id) ?? NO_ACTIVITY;
      return Math.max(a.lastGoodAt ?? -Infinity, a.lastStartAt ?? op.startedAt ?? -Infinity);
    });
  return input.now - Math.max(...since) >= input.stallAfterMs;
}

/** Every figure of one order at `now` (see the file's comment). */
export function orderFigures(input: OrderFiguresInput): OrderFigures {
  const { order, now } = input;
  const status = orderStatus(order);
  const operations = operationFigures(input, status);
  const last = operations.at(-1);
  const good = last?.good ?? 0;
  const rejected = order.operations.reduce((s, o) => s + o.rejected, 0);
  // The order is done when its last open operation is (each one waits for those before it).
  const open = operations.filter((o) => o.status !== 'done');
  const plan = status === 'completed' ? undefined : input.planned;
  const eta =
    status === 'completed'
      ? (last?.completedAt ?? now)
      : (plan?.finish ?? open.at(-1)?.eta ?? null);
  const lateRisk =
    order.dueAt !== null &&
    status !== 'completed' &&
    (eta === null ? now >= order.dueAt : eta > order.dueAt);
  const stalled = isStalledAt(input, status);
  const health = orderHealth({
    status,
    createdAt: input.createdAt,
    dueAt: order.dueAt,
    eta,
    stalled,
    good: order.operations.reduce((s, o) => s + o.good, 0),
    rejected,
    now,
    ...(input.scrapTolerance === undefined ? {} : { scrapTolerance: input.scrapTolerance }),
  });
  return {
    status,
    good,
    rejected,
    progress: order.quantity > 0 ? Math.min(1, good / order.quantity) : 0,
    eta,
    p10: plan?.p10 ?? null,
    p90: plan?.p90 ?? null,
    etaSource: plan ? 'plan' : 'rates',
    lateRisk,
    stalled,
    health,
    operations,
  };
}
