/**
 * Work orders as plain data and pure functions (docs/architecture.md "Conventions" 4): what a scan does to an order,
 * where the order stands, when it will be done. Storage and the API sit around this.
 */
export type OperationStatus = 'pending' | 'running' | 'paused' | 'done';
export type OrderStatus = 'released' | 'in_progress' | 'paused' | 'completed';

export interface Operation {
  id: string;
  /** Machine or station it runs on. */
  machine: string;
  status: OperationStatus;
  good: number;
  rejected: number;
  startedAt: number | null;
  completedAt: number | null;
}

export interface WorkOrder {
  id: string;
  quantity: number;
  dueAt: number | null;
  operations: Operation[];
}

export interface ScanAction {
  operation: string;
  action: 'start' | 'pause' | 'complete';
  ts: number;
}

export type ScanOutcome = { ok: true; order: WorkOrder } | { ok: false; reason: string };

/** Where the order as a whole stands, derived from its operations (never stored twice). */
export function orderStatus(order: WorkOrder): OrderStatus {
  const ops = order.operations;
  if (ops.length > 0 && ops.every((o) => o.status === 'done')) return 'completed';
  if (ops.some((o) => o.status === 'running')) return 'in_progress';
  if (ops.some((o) => o.status === 'paused' || o.status === 'done')) return 'paused';
  return 'released';
}

const ALLOWED: Record<ScanAction['action'], readonly OperationStatus[]> = {
  start: ['pending', 'paused'],
  pause: ['running'],
  complete: ['running', 'paused'],
};

/**
 * A station scan applied to an order, or the reason it is refused (recorded, not applied):
 * an unknown operation, or an action its operation's status does not allow.
 */
export function applyScan(order: WorkOrder, scan: ScanAction): ScanOutcome {
  const op = order.operations.find((o) => o.id === scan.operation);
  if (!op) return { ok: false, reason: `order ${order.id} has no operation ${scan.operation}` };
  if (!ALLOWED[scan.action].includes(op.status)) {
    return {
      ok: false,
      reason: `operation ${op.id} of order ${order.id} is ${op.status}: cannot ${scan.action}`,
    };
  }
  const next: Operation = {
    ...op,
    status: scan.action === 'start' ? 'running' : scan.action === 'pause' ? 'paused' : 'done',
    startedAt: op.startedAt ?? scan.ts,
    completedAt: scan.action === 'complete' ? scan.ts : null,
  };
  return {
    ok: true,
    order: { ...order, operations: order.operations.map((o) => (o === op ? next : o)) },
  };
}

/** Pieces counted on a machine go to the order's operation running on it, if any. */
export function attributeCount(
  order: WorkOrder,
  machine: string,
  good: number,
  rejected: number,
): WorkOrder {
  return {
    ...order,
    operations: order.operations.map((o) =>
      o.machine === machine && o.status === 'running'
        ? { ...o, good: o.good + good, rejected: o.rejected + rejected }
        : o,
    ),
  };
}
