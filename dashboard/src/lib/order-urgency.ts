/**
 * The orders board (issue 8): work orders as `GET /api/work-orders` serves them, most urgent
 * first, paged to fit the screen.
 */
import type { OrderView } from '@takt/protocol/api';

/**
 * What the boards read of an order (protocol's OrderView, `GET /api/work-orders`), statuses
 * included: each operation's own progress (good / quantity), in routing order
 * (docs/work-orders.md).
 */
export type BoardOrder = Pick<
  OrderView,
  | 'id'
  | 'product'
  | 'customer'
  | 'quantity'
  | 'good'
  | 'progress'
  | 'status'
  | 'dueAt'
  | 'eta'
  | 'lateRisk'
  | 'stalled'
  | 'currentOperation'
> & { operations?: readonly Pick<OrderView['operations'][number], 'id' | 'status' | 'progress'>[] };

/**
 * Whole percents of each operation of an order with several, in routing order, to show
 * beside the order's own progress (which counts the last operation only); empty for one.
 */
export function routingProgress(o: Pick<BoardOrder, 'operations'>): { id: string; pct: number }[] {
  const ops = o.operations ?? [];
  return ops.length < 2 ? [] : ops.map((op) => ({ id: op.id, pct: Math.floor(op.progress * 100) }));
}

const flags = (o: BoardOrder) => Number(o.stalled) + Number(o.lateRisk);
const due = (o: BoardOrder) => (o.dueAt === null ? Infinity : Date.parse(o.dueAt));

/**
 * Most urgent first: flagged orders (stalled and late-risk before one flag), then by due date
 * (none last), then by id so the order never jumps between polls.
 */
export function byUrgency(orders: readonly BoardOrder[]): BoardOrder[] {
  return [...orders].sort(
    (a, b) => flags(b) - flags(a) || due(a) - due(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** How many pages `count` rows make at `rowsPerPage` (at least one). */
export function pageCount(count: number, rowsPerPage: number): number {
  return Math.max(1, Math.ceil(count / Math.max(1, rowsPerPage)));
}

/** The rows of page `page` (wrapping round), for a board that pages instead of scrolling. */
export function pageOf<T>(items: readonly T[], rowsPerPage: number, page: number): T[] {
  const rows = Math.max(1, rowsPerPage);
  const p = page % pageCount(items.length, rows);
  return items.slice(p * rows, p * rows + rows);
}

/** ETA against due date: late when the ETA is after it. */
export function etaSlipMs(o: Pick<BoardOrder, 'eta' | 'dueAt'>): number | null {
  if (o.eta === null || o.dueAt === null) return null;
  return Date.parse(o.eta) - Date.parse(o.dueAt);
}
