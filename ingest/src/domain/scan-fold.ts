import {
  SERVER_MESSAGES,
  refusalKey,
  renderMessage,
  type Message,
  type MessageParam,
  type RefusalCode,
} from '@takt/protocol';
import type { ModeEvent } from './modes';
import { applyScan, type Operation, type WorkOrder } from './work-orders';

/**
 * Station scans folded in edge-time order (docs/architecture.md "Conventions" 4; docs/decisions.md, "Issue 15 — scans at
 * event time"). The scans are the events; what they did to orders (statuses, history with
 * operators, hand counts, refusals) and to machines' modes is the fold's result, so a scan
 * that arrives late re-folds everything from its time on instead of landing on top.
 */

/** A scan as stored (the `scans` table), action in lower case. */
export interface StationScan {
  ts: number;
  station: string;
  code: string;
  action: string;
  workOrder: string | null;
  operation: string | null;
  operator: string | null;
  reason: string | null;
  quantity: number;
}

/** What the fold needs to know of machines (docs/work-orders.md, "Other cards at a station"). */
export interface FoldContext {
  /** Machines whose PLC counts pieces: a hand `good` report is refused there. */
  counting: ReadonlySet<string>;
  /** Machines driven by work orders: nothing running there is mode `no_order`. */
  orderDriven: ReadonlySet<string>;
  /** Reject reasons the plant lists for a machine (empty: any reason is taken). */
  rejectReasons: (machine: string) => readonly string[];
  /**
   * Whether a person had the order held or cancelled at that instant (migration 038): its
   * scans are refused then. Absent: no order is ever stopped.
   */
  stoppedAt?: (order: string, ts: number) => 'held' | 'cancelled' | undefined;
}

export interface FoldState {
  /** Orders by id, as they stood before the first scan folded. */
  orders: Map<string, WorkOrder>;
  /** Who is badged in at each station. */
  operators: Map<string, string>;
}

export type OrderEffect = {
  order: string;
  ts: number;
  operation: string | null;
  machine: string | null;
  detail: Record<string, unknown>;
} & ({ kind: 'scan' | 'refused' } | { kind: 'count'; good: number; rejected: number });

/** A mode change event (`machine_modes`): from a mode card, or from an order starting / ending. */
export interface ModeEffect {
  machine: string;
  ts: number;
  mode: ModeEvent['mode'];
  source: 'scan' | 'work_order';
  detail: Record<string, unknown> | null;
}

export interface FoldResult extends FoldState {
  events: OrderEffect[];
  modes: ModeEffect[];
  /** Scans that named no order while none ran at their station: nothing to record them on. */
  unplaced: StationScan[];
}

export const ORDER_ACTIONS = ['start', 'pause', 'complete'] as const;

/** Mode cards a station may scan (`action` of the scan), and the mode each one sets. */
export const MODE_ACTIONS: Readonly<Record<string, ModeEvent['mode']>> = {
  production: 'production',
  changeover: 'changeover',
  setup: 'changeover',
  cleaning: 'cleaning',
  maintenance: 'planned_maintenance',
  planned_maintenance: 'planned_maintenance',
  no_order: 'no_order',
};

/**
 * Every action the fold reads. Mode cards are folded with the order scans so that a card and
 * an order's start or end at the same instant take effect in scan order, however they
 * arrive; reason cards have their own path (queries/stop-reasons.ts).
 */
export const FOLDED_ACTIONS: readonly string[] = [
  ...ORDER_ACTIONS,
  'good',
  'reject',
  'login',
  'logout',
  ...Object.keys(MODE_ACTIONS),
];

type Target = { order: string; operation: string | null };

/** The operation a scan without an order means: the one running, else paused, at the station. */
function currentAt(orders: Map<string, WorkOrder>, station: string): Target | undefined {
  const here: { order: string; op: Operation }[] = [];
  for (const order of orders.values())
    for (const op of order.operations)
      if (op.machine === station && (op.status === 'running' || op.status === 'paused'))
        here.push({ order: order.id, op });
  here.sort(
    (a, b) =>
      Number(b.op.status === 'running') - Number(a.op.status === 'running') ||
      (b.op.startedAt ?? 0) - (a.op.startedAt ?? 0) ||
      a.order.localeCompare(b.order),
  );
  const first = here[0];
  return first && { order: first.order, operation: first.op.id };
}

function opOf(order: WorkOrder, target: Target, station: string): Operation | undefined {
  if (target.operation !== null) return order.operations.find((o) => o.id === target.operation);
  return order.operations.find((o) => o.machine === station);
}

const withOp = (order: WorkOrder, op: Operation): WorkOrder => ({
  ...order,
  operations: order.operations.map((o) => (o.id === op.id ? op : o)),
});

/** Fold scans, oldest first (edge time, then gateway and seq), onto the state before them. */
export function foldScans(
  start: FoldState,
  scans: readonly StationScan[],
  ctx: FoldContext,
): FoldResult {
  const out: FoldResult = {
    orders: new Map(start.orders),
    operators: new Map(start.operators),
    events: [],
    modes: [],
    unplaced: [],
  };
  for (const scan of scans) {
    if (scan.action === 'login') {
      if (scan.operator) out.operators.set(scan.station, scan.operator);
    } else if (scan.action === 'logout') out.operators.delete(scan.station);
    else if (Object.hasOwn(MODE_ACTIONS, scan.action))
      out.modes.push({
        machine: scan.station,
        ts: scan.ts,
        mode: MODE_ACTIONS[scan.action]!,
        source: 'scan',
        detail: { code: scan.code, operator: scan.operator },
      });
    else if (FOLDED_ACTIONS.includes(scan.action)) {
      const target: Target | undefined = scan.workOrder
        ? { order: scan.workOrder, operation: scan.operation }
        : currentAt(out.orders, scan.station);
      if (!target) out.unplaced.push(scan);
      else if (scan.action === 'good' || scan.action === 'reject') pieces(out, scan, target, ctx);
      else stationAction(out, scan, target, ctx);
    }
  }
  return out;
}

const operatorOf = (state: FoldState, scan: StationScan) =>
  scan.operator ?? state.operators.get(scan.station) ?? null;

/**
 * A refused scan, recorded in the order's history and changing nothing: `refusal` is a
 * stable code (protocol/src/api/stations.ts), `messageKey` / `messageParams` the message a
 * reader's language renders (protocol/src/messages/stations.ts), and `reason` its English
 * text for readers of before (docs/decisions.md, "Issue 19 — refusals and stop labels in the
 * reader's language").
 */
function refuse(
  out: FoldResult,
  scan: StationScan,
  target: { order: string; op: string | null },
  refusal: RefusalCode,
  params: Record<string, MessageParam>,
  key = refusalKey(refusal),
) {
  const message: Message = { key, params };
  out.events.push({
    kind: 'refused',
    order: target.order,
    ts: scan.ts,
    operation: target.op,
    machine: null,
    detail: {
      code: scan.code,
      station: scan.station,
      action: scan.action,
      operator: operatorOf(out, scan),
      // No time parameters in a refusal: the zone does not change the English text.
      reason: renderMessage(SERVER_MESSAGES, message, 'en', { timeZone: 'UTC' }),
      refusal,
      messageKey: key,
      messageParams: params,
    },
  });
}

/** A scan on an order held or cancelled at its time is refused (true: it was). */
function stoppedRefusal(
  out: FoldResult,
  scan: StationScan,
  at: { order: string; op: string | null },
  ctx: FoldContext,
): boolean {
  const stopped = ctx.stoppedAt?.(at.order, scan.ts);
  if (!stopped) return false;
  refuse(out, scan, at, stopped === 'held' ? 'order-held' : 'order-cancelled', { order: at.order });
  return true;
}

/** Why a start, pause or complete does not fit its operation's status. */
const statusRefusal = (op: Operation): RefusalCode =>
  op.status === 'done' ? 'already-done' : op.status === 'pending' ? 'not-started' : 'not-allowed';

type Problem = { refusal: RefusalCode; params: Record<string, MessageParam>; key?: string };

/** A scan names an operation: it must exist and belong to the station that scanned it. */
function operationProblem(
  order: WorkOrder,
  op: Operation | undefined,
  target: Target,
  station: string,
): Problem | undefined {
  if (!op)
    return target.operation === null
      ? {
          refusal: 'unknown-operation',
          params: { order: order.id, station },
          key: refusalKey('no-operation-here'),
        }
      : { refusal: 'unknown-operation', params: { order: order.id, operation: target.operation } };
  if (op.machine !== station)
    return {
      refusal: 'other-station',
      params: { operation: op.id, order: order.id, machine: op.machine, station },
    };
  return undefined;
}

/** start / pause / complete (docs/work-orders.md, "Scans"). */
function stationAction(out: FoldResult, scan: StationScan, target: Target, ctx: FoldContext) {
  const order = out.orders.get(target.order);
  const at = { order: target.order, op: target.operation };
  if (!order) return refuse(out, scan, at, 'unknown-order', { order: target.order });
  if (stoppedRefusal(out, scan, at, ctx)) return;
  const named = opOf(order, target, scan.station);
  const problem = operationProblem(order, named, target, scan.station);
  if (problem) return refuse(out, scan, at, problem.refusal, problem.params, problem.key);
  const operation = named!.id;
  const action = scan.action as (typeof ORDER_ACTIONS)[number];
  const outcome = applyScan(order, { operation, action, ts: scan.ts });
  if (!outcome.ok) {
    const params = {
      operation,
      order: order.id,
      status: { message: { key: `stations.status.${named!.status}` } },
      action: { message: { key: `stations.action.${action}` } },
    };
    return refuse(
      out,
      scan,
      { order: order.id, op: operation },
      statusRefusal(named!),
      params,
      refusalKey('not-allowed'),
    );
  }
  out.orders.set(order.id, outcome.order);
  const op = outcome.order.operations.find((o) => o.id === operation)!;
  if (action === 'start') pauseOthers(out, scan, order.id, op);
  out.events.push({
    kind: 'scan',
    order: order.id,
    ts: scan.ts,
    operation,
    machine: op.machine,
    detail: { code: scan.code, station: scan.station, action, operator: operatorOf(out, scan) },
  });
  if (action === 'start')
    out.modes.push({
      machine: op.machine,
      ts: scan.ts,
      mode: 'production',
      source: 'work_order',
      detail: { workOrder: order.id, operation: op.id },
    });
  else if (ctx.orderDriven.has(op.machine) && !runsOn(out.orders, op.machine))
    out.modes.push({
      machine: op.machine,
      ts: scan.ts,
      mode: 'no_order',
      source: 'work_order',
      detail: null,
    });
}

const runsOn = (orders: Map<string, WorkOrder>, machine: string) =>
  [...orders.values()].some((o) =>
    o.operations.some((op) => op.machine === machine && op.status === 'running'),
  );

/** A machine works on one order at a time: whatever else runs there is paused. */
function pauseOthers(out: FoldResult, scan: StationScan, orderId: string, started: Operation) {
  for (const other of out.orders.values())
    for (const op of other.operations) {
      if (op.machine !== started.machine || op.status !== 'running') continue;
      if (other.id === orderId && op.id === started.id) continue;
      out.orders.set(other.id, withOp(out.orders.get(other.id)!, { ...op, status: 'paused' }));
      out.events.push({
        kind: 'scan',
        order: other.id,
        ts: scan.ts,
        operation: op.id,
        machine: started.machine,
        detail: { action: 'pause', station: scan.station, because: `${orderId} started` },
      });
    }
}

/**
 * Pieces reported by hand (QTY / REJ). On a machine whose PLC counts, a good report is
 * refused (the counter has them) and a reject report moves its pieces from good to rejected.
 */
function pieces(out: FoldResult, scan: StationScan, target: Target, ctx: FoldContext) {
  const order = out.orders.get(target.order);
  if (!order)
    return refuse(out, scan, { order: target.order, op: target.operation }, 'unknown-order', {
      order: target.order,
    });
  if (stoppedRefusal(out, scan, { order: order.id, op: target.operation }, ctx)) return;
  const named = opOf(order, target, scan.station);
  const problem = operationProblem(order, named, target, scan.station);
  if (problem)
    return refuse(
      out,
      scan,
      { order: order.id, op: target.operation },
      problem.refusal,
      problem.params,
      problem.key,
    );
  const op = named!;
  const at = { order: order.id, op: op.id };
  if (op.status === 'pending')
    return refuse(out, scan, at, 'not-started', { operation: op.id, order: order.id });
  const counted = ctx.counting.has(op.machine);
  if (scan.action === 'reject') {
    const known = ctx.rejectReasons(op.machine);
    if (known.length > 0 && !known.includes(scan.reason ?? ''))
      return scan.reason
        ? refuse(out, scan, at, 'unknown-reject-reason', { reason: scan.reason })
        : refuse(out, scan, at, 'reject-needs-reason', {});
    // At a hand-reporting station the fold knows every piece made, and a reject report may
    // not exceed the good ones (a counting machine's pieces come from its counter, not here).
    if (!counted && scan.quantity > op.good)
      return refuse(out, scan, at, 'reject-exceeds-made', {
        quantity: scan.quantity,
        operation: op.id,
        order: order.id,
        good: op.good,
      });
  } else if (counted) return refuse(out, scan, at, 'counting-machine', { machine: op.machine });
  const good = scan.action === 'good' ? scan.quantity : counted ? -scan.quantity : 0;
  const rejected = scan.action === 'reject' ? scan.quantity : 0;
  out.orders.set(
    order.id,
    withOp(order, { ...op, good: op.good + good, rejected: op.rejected + rejected }),
  );
  out.events.push({
    kind: 'count',
    order: order.id,
    ts: scan.ts,
    operation: op.id,
    machine: op.machine,
    good,
    rejected,
    detail: {
      source: 'scan',
      code: scan.code,
      station: scan.station,
      reason: scan.reason,
      operator: operatorOf(out, scan),
    },
  });
}

/** An order as its applied scans (oldest first) left it: the state a re-fold starts from. */
export function replayApplied(
  order: WorkOrder,
  applied: readonly { operation: string; action: (typeof ORDER_ACTIONS)[number]; ts: number }[],
): WorkOrder {
  const pending: WorkOrder = {
    ...order,
    operations: order.operations.map((o) => ({
      ...o,
      status: 'pending',
      startedAt: null,
      completedAt: null,
    })),
  };
  return applied.reduce((o, scan) => {
    const outcome = applyScan(o, scan);
    return outcome.ok ? outcome.order : o;
  }, pending);
}
