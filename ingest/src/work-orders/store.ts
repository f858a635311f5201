import type { WorkOrderInput } from '@takt/protocol';
import type { Pool } from 'pg';
import type { RowError } from './csv';
import type { Operation, OperationStatus, WorkOrder } from '../domain/work-orders';

export interface OrderRecord {
  order: WorkOrder;
  product: string | null;
  customer: string | null;
  priority: number;
  createdAt: string;
}

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
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
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
      `INSERT INTO work_order_events (work_order_id, time, kind) SELECT id, now(), 'created' FROM unnest($1::text[]) AS u(id)`,
      [orders.map((o) => o.id)],
    );
    await client.query('COMMIT');
    return [];
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
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
  const head = await pool.query<{
    id: string;
    product_id: string | null;
    quantity: number;
    due_at: Date | null;
    customer: string | null;
    priority: number;
    created_at: Date;
  }>(
    'SELECT id, product_id, quantity, due_at, customer, priority, created_at FROM work_orders WHERE id = $1',
    [id],
  );
  const row = head.rows[0];
  if (!row) return undefined;
  const ops = await pool.query<OpRow>(
    'SELECT id, machine_id, status, good, rejected, started_at, completed_at FROM work_order_operations WHERE work_order_id = $1 ORDER BY position',
    [id],
  );
  const operations: Operation[] = ops.rows.map((o) => ({
    id: o.id,
    machine: o.machine_id,
    status: o.status,
    good: Number(o.good),
    rejected: Number(o.rejected),
    startedAt: o.started_at?.getTime() ?? null,
    completedAt: o.completed_at?.getTime() ?? null,
  }));
  return {
    order: { id: row.id, quantity: row.quantity, dueAt: row.due_at?.getTime() ?? null, operations },
    product: row.product_id,
    customer: row.customer,
    priority: row.priority,
    createdAt: row.created_at.toISOString(),
  };
}

export async function saveOperation(pool: Pool, orderId: string, op: Operation): Promise<void> {
  await pool.query(
    `UPDATE work_order_operations SET status = $3, started_at = $4, completed_at = $5 WHERE work_order_id = $1 AND id = $2`,
    [
      orderId,
      op.id,
      op.status,
      op.startedAt === null ? null : new Date(op.startedAt),
      op.completedAt === null ? null : new Date(op.completedAt),
    ],
  );
}

export async function addEvent(
  pool: Pool,
  e: {
    order: string;
    ts: number;
    kind: 'scan' | 'refused' | 'count';
    operation?: string | null;
    machine?: string | null;
    good?: number;
    rejected?: number;
    detail?: unknown;
  },
): Promise<void> {
  await pool.query(
    'INSERT INTO work_order_events (work_order_id, time, kind, operation_id, good, rejected, detail, machine_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
    [
      e.order,
      new Date(e.ts),
      e.kind,
      e.operation ?? null,
      e.good ?? null,
      e.rejected ?? null,
      e.detail === undefined ? null : JSON.stringify(e.detail),
      e.machine ?? null,
    ],
  );
}
