import type { Message } from '@takt/protocol';
import type { OperationStatus } from './work-orders';

/**
 * What a person's change does to a work order, or why it is refused: pure (docs/architecture.md
 * "Conventions" 4; docs/decisions.md, "Issue 20 — order changes and their trail"). Storage
 * (work-orders/changes.ts) locks the order, asks here, and writes the result with its trail.
 */

/** An operation of the routing as a change names it (the create contract's shape). */
export interface OperationInput {
  id: string;
  machine: string;
}

/** The fields a change may set; absent ones stay as they are, null clears. */
export interface OrderPatch {
  quantity?: number;
  dueAt?: string | null;
  priority?: number;
  customer?: string | null;
  /** The whole new routing; operations already started or done must stay as they are. */
  routing?: OperationInput[];
}

export type ChangedField = keyof OrderPatch;

export interface FieldChange {
  field: ChangedField;
  before: unknown;
  after: unknown;
}

/** An order as a change sees it: its fields and its operations as last derived. */
export interface OrderState {
  id: string;
  quantity: number;
  /** ISO time or null. */
  dueAt: string | null;
  priority: number;
  customer: string | null;
  operations: readonly { id: string; machine: string; status: OperationStatus; good: number }[];
  held: boolean;
  cancelled: boolean;
}

export type Decision = { changes: FieldChange[]; refusal?: undefined } | { refusal: Message };

const refused = (key: string, params: Message['params']): Decision => ({
  refusal: { key, params },
});

/** Finished: every operation done (domain/work-orders.ts `orderStatus`). */
export const isFinished = (order: OrderState): boolean =>
  order.operations.length > 0 && order.operations.every((o) => o.status === 'done');

/** Pieces made: the good pieces of the last operation, as the order's `good` (order-figures.ts). */
export const piecesMade = (order: OrderState): number => order.operations.at(-1)?.good ?? 0;

/** Cancelled or finished orders take no change of any kind. */
export function closedRefusal(order: OrderState): Decision | undefined {
  if (order.cancelled) return refused('orders.cancelled', { order: order.id });
  if (isFinished(order)) return refused('orders.completed', { order: order.id });
  return undefined;
}

const sameTime = (a: string | null, b: string | null) =>
  a === b || (a !== null && b !== null && Date.parse(a) === Date.parse(b));

/**
 * A routing change: operations not yet started may be added, removed, moved or moved to
 * another machine; the started and done ones keep their machine and their order among
 * themselves (their scans and counts name them).
 */
function routingRefusal(
  order: OrderState,
  routing: readonly OperationInput[],
): Decision | undefined {
  const seen = new Set<string>();
  for (const op of routing) {
    if (seen.has(op.id)) return refused('orders.duplicateOperation', { operation: op.id });
    seen.add(op.id);
  }
  const started = order.operations.filter((o) => o.status !== 'pending');
  const kept = routing.filter((r) => started.some((s) => s.id === r.id));
  for (const [i, op] of started.entries()) {
    const now = kept[i];
    if (!now || now.id !== op.id || now.machine !== op.machine)
      return refused('orders.operationStarted', {
        order: order.id,
        operation: op.id,
        status: op.status,
      });
  }
  return undefined;
}

const routingOf = (order: OrderState): OperationInput[] =>
  order.operations.map((o) => ({ id: o.id, machine: o.machine }));

const sameRouting = (a: readonly OperationInput[], b: readonly OperationInput[]) =>
  a.length === b.length && a.every((op, i) => op.id === b[i]!.id && op.machine === b[i]!.machine);

/** The fields the patch changes (before → after), or why it is refused. */
export function diffOrder(order: OrderState, patch: OrderPatch): Decision {
  const closed = closedRefusal(order);
  if (closed) return closed;
  const changes: FieldChange[] = [];
  if (patch.quantity !== undefined && patch.quantity !== order.quantity) {
    const made = piecesMade(order);
    if (patch.quantity < made)
      return refused('orders.quantityBelowMade', {
        order: order.id,
        quantity: patch.quantity,
        made,
      });
    changes.push({ field: 'quantity', before: order.quantity, after: patch.quantity });
  }
  if (patch.dueAt !== undefined && !sameTime(patch.dueAt, order.dueAt))
    changes.push({
      field: 'dueAt',
      before: order.dueAt,
      after: patch.dueAt === null ? null : new Date(patch.dueAt).toISOString(),
    });
  if (patch.priority !== undefined && patch.priority !== order.priority)
    changes.push({ field: 'priority', before: order.priority, after: patch.priority });
  if (patch.customer !== undefined && patch.customer !== order.customer)
    changes.push({ field: 'customer', before: order.customer, after: patch.customer });
  if (patch.routing !== undefined) {
    const refusal = routingRefusal(order, patch.routing);
    if (refusal) return refusal;
    const before = routingOf(order);
    if (!sameRouting(before, patch.routing))
      changes.push({ field: 'routing', before, after: patch.routing.map((o) => ({ ...o })) });
  }
  return { changes };
}

/** Hold, resume or cancel: refused on a closed order, or when it is already so. */
export function statusRefusal(
  order: OrderState,
  change: 'hold' | 'resume' | 'cancel',
): Message | undefined {
  const closed = closedRefusal(order);
  if (closed?.refusal) return closed.refusal;
  if (change === 'hold' && order.held)
    return { key: 'orders.alreadyHeld', params: { order: order.id } };
  if (change === 'resume' && !order.held)
    return { key: 'orders.notHeld', params: { order: order.id } };
  return undefined;
}

export interface SplitPlan {
  /** The original keeps this quantity and every piece already made. */
  keep: number;
  /** The new order: the rest of the quantity and the operations not yet done, all pending. */
  moved: number;
  operations: OperationInput[];
}

/**
 * Split `quantity` pieces off into a new order. The pieces made stay with the original (its
 * quantity may not drop below them); the new order gets the operations not yet done.
 */
export function planSplit(
  order: OrderState,
  quantity: number,
): { plan: SplitPlan } | { refusal: Message } {
  const closed = closedRefusal(order);
  if (closed?.refusal) return { refusal: closed.refusal };
  const made = piecesMade(order);
  const left = order.quantity - quantity;
  if (left < Math.max(1, made))
    return {
      refusal: {
        key: 'orders.splitTooMany',
        params: { order: order.id, quantity, left, made },
      },
    };
  return {
    plan: {
      keep: left,
      moved: quantity,
      operations: order.operations
        .filter((o) => o.status !== 'done')
        .map((o) => ({ id: o.id, machine: o.machine })),
    },
  };
}

/** A hold, resume or cancel as the order's history has it. */
export interface OrderStopEvent {
  order: string;
  ts: number;
  change: 'hold' | 'resume' | 'cancel';
}

/**
 * Whether an order was held or cancelled at an instant, from its holds, resumes and cancels
 * (oldest first): the scan fold refuses scans then (domain/scan-fold.ts). A change takes
 * effect at its own time, so a late scan from before a hold still counts.
 */
export function stoppedAt(
  events: readonly OrderStopEvent[],
): (order: string, ts: number) => 'held' | 'cancelled' | undefined {
  const byOrder = new Map<string, OrderStopEvent[]>();
  for (const e of events) byOrder.set(e.order, [...(byOrder.get(e.order) ?? []), e]);
  return (order, ts) => {
    let state: 'held' | 'cancelled' | undefined;
    for (const e of byOrder.get(order) ?? []) {
      if (e.ts > ts) break;
      state = e.change === 'cancel' ? 'cancelled' : e.change === 'hold' ? 'held' : undefined;
      if (state === 'cancelled') break;
    }
    return state;
  };
}
