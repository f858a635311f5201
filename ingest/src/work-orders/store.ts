import type { WorkOrderInput } from '@takt/protocol';
import type { Pool, PoolClient } from 'pg';
import type { Operation, OperationStatus, WorkOrder } from '../domain/work-orders';
import { withTransaction } from '../db/transaction';

/** A problem with one order of a create (line = index + 2 as in a CSV). */
export interface RowError {
  line: number;
  message: string;
}

export interface OrderRecord {
  order: WorkOrder;
  product: string | null;
  customer: string | null;
  priority: number;
  createdAt: string;
  /** A person's hold or cancel (migration 038): when, who, why; null when not so. */
  held: OrderStop | null;
  cancelled: OrderStop | null;
  /** The order this one was split from. */
  splitFrom: string | null;
}

export interface OrderStop {
  at: string;
  by: string | null;
  reason: string | null;
}

const stopOf = (at: Date | null, by: string | null, reason: string | null): OrderStop | null =>
  at ? { at: at.toISOString(), by, reason } : null;

/**
 * Checks orders against the database (unknown product, id already taken) and inserts all of
 * them in one transaction, or none: returns the problems per order (line = index + 2 for a CSV).
 */
export async function createOrders(
  pool: Pool,
  orders: readonly WorkOrderInput[],
  lineOf: (i: number) => number,
): Promise<RowError[]> {
  const products = new Set(
    (await pool.query<{ id: string }>('SELECT id FROM products')).rows.map((r) => r.id),
  );
  const taken = new Set(
    (
      await pool.query<{ id: string }>('SELECT id FROM work_orders WHERE id = ANY($1::text[])', [
        orders.map((o) => o.id),
      ])
    ).rows.map((r) => r.id),
  );
  const errors: RowError[] = [];
  orders.forEach((o, i) => {
    if (!products.has(o.product))
      errors.push({ line: lineOf(i), message: `unknown product "${o.product}"` });
    if (taken.has(o.id)) errors.push({ line: lineOf(i), message: `order ${o.id} exists already` });
  });
  if (errors.length > 0) return errors;
  await withTransaction(pool, (client) => insertOrders(client, orders));
  return [];
}

/**
 * Inserts orders, their operations and their `created` events in the caller's transaction
 * (checked by the caller); an import's event says who and from where.
 */
export async function insertOrders(
  client: PoolClient,
  orders: readonly WorkOrderInput[],
  actor?: { by: string; source: string },
): Promise<void> {
  if (orders.length === 0) return;
  await client.query(
    `INSERT INTO work_orders (id, product_id, quantity, due_at, customer, priority)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int4[], $4::timestamptz[], $5::text[], $6::int4[])`,
    [
      orders.map((o) => o.id),
      orders.map((o) => o.product),
      orders.map((o) => o.quantity),
      orders.map((o) => o.dueAt ?? null),
      orders.map((o) => o.customer ?? null),
      orders.map((o) => o.priority),
    ],
  );
  const ops = orders.flatMap((o) =>
    o.operations.map((op, position) => ({ order: o.id, position, ...op })),
  );
  await client.query(
    `INSERT INTO work_order_operations (work_order_id, position, id, machine_id)
     SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[])`,
    [
      ops.map((o) => o.order),
      ops.map((o) => o.position),
      ops.map((o) => o.id),
      ops.map((o) => o.machine),
    ],
  );
  await client.query(
    `INSERT INTO work_order_events (work_order_id, time, kind, detail)
     SELECT id, now(), 'created', $2::jsonb FROM unnest($1::text[]) AS u(id)`,
    [orders.map((o) => o.id), actor ? JSON.stringify(actor) : null],
  );
}

interface OpRow {
  id: string;
  machine_id: string;
  status: OperationStatus;
  good: string;
  rejected: string;
  started_at: Date | null;
  completed_at: Date | null;
}

export async function loadOrder(pool: Pool, id: string): Promise<OrderRecord | undefined> {
  return (await loadOrders(pool, [id]))[0];
}

/** Orders with their operations in routing order (statuses as last derived). */
export async function loadOrders(
  db: Pick<Pool, 'query'>,
  ids: readonly string[],
): Promise<OrderRecord[]> {
  const head = await db.query<{
    id: string;
    product_id: string | null;
    quantity: number;
    due_at: Date | null;
    customer: string | null;
    priority: number;
    created_at: Date;
    held_at: Date | null;
    held_by: string | null;
    hold_reason: string | null;
    cancelled_at: Date | null;
    cancelled_by: string | null;
    cancel_reason: string | null;
    split_from: string | null;
  }>(
    `SELECT id, product_id, quantity, due_at, customer, priority, created_at, held_at, held_by,
            hold_reason, cancelled_at, cancelled_by, cancel_reason, split_from
       FROM work_orders WHERE id = ANY($1::text[]) ORDER BY id`,
    [ids],
  );
  const ops = await db.query<OpRow & { work_order_id: string }>(
    'SELECT work_order_id, id, machine_id, status, good, rejected, started_at, completed_at FROM work_order_operations WHERE work_order_id = ANY($1::text[]) ORDER BY work_order_id, position',
    [ids],
  );
  return head.rows.map((row) => {
    const operations: Operation[] = ops.rows
      .filter((o) => o.work_order_id === row.id)
      .map((o) => ({
        id: o.id,
        machine: o.machine_id,
        status: o.status,
        good: Number(o.good),
        rejected: Number(o.rejected),
        startedAt: o.started_at?.getTime() ?? null,
        completedAt: o.completed_at?.getTime() ?? null,
      }));
    return {
      order: {
        id: row.id,
        quantity: row.quantity,
        dueAt: row.due_at?.getTime() ?? null,
        operations,
      },
      product: row.product_id,
      customer: row.customer,
      priority: row.priority,
      createdAt: row.created_at.toISOString(),
      held: stopOf(row.held_at, row.held_by, row.hold_reason),
      cancelled: stopOf(row.cancelled_at, row.cancelled_by, row.cancel_reason),
      splitFrom: row.split_from,
    };
  });
}
