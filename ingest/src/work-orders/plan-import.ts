import type { ImportAction, Message, PlantModel, WorkOrderInput } from '@takt/protocol';
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../db/transaction';
import {
  diffOrder,
  isFinished,
  type FieldChange,
  type OrderPatch,
  type OrderState,
} from '../domain/order-changes';
import type { OperationStatus } from '../domain/work-orders';
import { changeOrder, type Actor } from './changes';
import type { CellError, ColumnHeaders, ImportedOrder, ReadRow } from './rows';
import { insertOrders } from './store';

/** What one row does (or would do): create, update, leave unchanged, refuse, or report finished. */
export interface PlannedRow {
  row: number;
  id: string | null;
  action: ImportAction;
  changes?: FieldChange[];
  errors: CellError[];
  create?: WorkOrderInput;
  patch?: OrderPatch;
}

export interface ImportRun {
  rows: PlannedRow[];
  committed: boolean;
}

type Db = Pick<PoolClient, 'query'>;

/** The orders of these ids as a change sees them (domain/order-changes.ts), locked when asked. */
async function orderStates(
  db: Db,
  ids: string[],
  lock: boolean,
): Promise<Map<string, OrderState & { product: string | null }>> {
  const head = await db.query<{
    id: string;
    product_id: string | null;
    quantity: number;
    due_at: Date | null;
    priority: number;
    customer: string | null;
    held: boolean;
    cancelled: boolean;
  }>(
    `SELECT id, product_id, quantity, due_at, priority, customer, held_at IS NOT NULL AS held,
            cancelled_at IS NOT NULL AS cancelled
       FROM work_orders WHERE id = ANY($1::text[]) ORDER BY id ${lock ? 'FOR UPDATE' : ''}`,
    [ids],
  );
  const ops = await db.query<{
    work_order_id: string;
    id: string;
    machine_id: string;
    status: OperationStatus;
    good: string;
  }>(
    'SELECT work_order_id, id, machine_id, status, good FROM work_order_operations WHERE work_order_id = ANY($1::text[]) ORDER BY position',
    [ids],
  );
  return new Map(
    head.rows.map((r) => [
      r.id,
      {
        id: r.id,
        product: r.product_id,
        quantity: r.quantity,
        dueAt: r.due_at?.toISOString() ?? null,
        priority: r.priority,
        customer: r.customer,
        held: r.held,
        cancelled: r.cancelled,
        operations: ops.rows
          .filter((o) => o.work_order_id === r.id)
          .map((o) => ({
            id: o.id,
            machine: o.machine_id,
            status: o.status,
            good: Number(o.good),
          })),
      },
    ]),
  );
}

/** The products Takt knows, with their default routing from the plant model (if any). */
async function productRoutings(
  db: Db,
): Promise<Map<string, { id: string; machine: string }[] | undefined>> {
  const products = await db.query<{ id: string }>('SELECT id FROM products');
  const plants = await db.query<{ definition: PlantModel }>('SELECT definition FROM plant_models');
  const routings = new Map(
    plants.rows.flatMap((p) =>
      (p.definition.products ?? []).map((x) => [x.id, x.routing] as const),
    ),
  );
  return new Map(products.rows.map((p) => [p.id, routings.get(p.id)]));
}

/** A row's fields as a change: what the file gives (an empty cell changes nothing). */
function patchOf(order: ImportedOrder): OrderPatch {
  return {
    quantity: order.quantity,
    ...(order.dueAt !== undefined && { dueAt: order.dueAt }),
    ...(order.priority !== undefined && { priority: order.priority }),
    ...(order.customer !== undefined && { customer: order.customer }),
    ...(order.operations !== undefined && { routing: order.operations }),
  };
}

/**
 * Each row read -> its action against the orders as they stand: a new id is created (its
 * product known, its routing from the row or the product's default), an open order is
 * updated through the change rules (domain/order-changes.ts; nothing differs: unchanged), a
 * completed or cancelled order is reported (`finished`) and not touched.
 */
async function planRows(
  db: Db,
  read: ReadRow[],
  headers: ColumnHeaders,
  lock: boolean,
): Promise<PlannedRow[]> {
  const ids = read.flatMap((r) => (r.order ? [r.order.id] : []));
  const states = await orderStates(db, ids, lock);
  const products = await productRoutings(db);
  const column = (f: keyof ColumnHeaders) => headers[f] ?? f;
  return read.map((r): PlannedRow => {
    const base = { row: r.row, id: r.id, errors: r.errors };
    const refuse = (c: string | null, error: Message): PlannedRow => ({
      ...base,
      action: 'refuse',
      errors: [...r.errors, { column: c, error }],
    });
    const o = r.order;
    if (!o) return { ...base, action: 'refuse' };
    const state = states.get(o.id);
    if (state) {
      if (state.cancelled || isFinished(state)) return { ...base, action: 'finished' };
      if (state.product !== null && state.product !== o.product)
        return refuse(column('product'), {
          key: 'import.row.productChanged',
          params: { id: o.id, before: state.product, after: o.product },
        });
      const patch = patchOf(o);
      const decision = diffOrder(state, patch);
      if (decision.refusal)
        return refuse(null, {
          key: 'import.row.refused',
          params: { reason: { message: decision.refusal } },
        });
      if (decision.changes.length === 0) return { ...base, action: 'unchanged' };
      return { ...base, action: 'update', changes: decision.changes, patch };
    }
    if (!products.has(o.product))
      return refuse(column('product'), {
        key: 'import.row.productUnknown',
        params: { product: o.product },
      });
    const operations = o.operations ?? products.get(o.product);
    if (!operations)
      return refuse(column('routing'), {
        key: 'import.row.noRouting',
        params: { product: o.product },
      });
    return {
      ...base,
      action: 'create',
      create: {
        id: o.id,
        product: o.product,
        quantity: o.quantity,
        ...(o.dueAt && { dueAt: o.dueAt }),
        ...(o.customer && { customer: o.customer }),
        priority: o.priority ?? 0,
        operations,
      },
    };
  });
}

/**
 * Plans the rows and, unless it is a dry run, commits them in one transaction: new orders
 * created, open ones changed (each change in the order's trail with who and from where).
 * A file with a refused row commits nothing unless `validRows` says to import the others.
 */
export async function runImport(
  pool: Pool,
  read: { rows: ReadRow[]; headers: ColumnHeaders },
  options: { dryRun: boolean; validRows: boolean; actor: Actor },
): Promise<ImportRun> {
  return withTransaction(pool, async (client) => {
    const rows = await planRows(client, read.rows, read.headers, !options.dryRun);
    const refused = rows.some((r) => r.action === 'refuse');
    if (
      options.dryRun ||
      (refused && !options.validRows) ||
      rows.every((r) => r.action === 'refuse')
    )
      return { rows, committed: false };
    await insertOrders(
      client,
      rows.flatMap((r) => (r.create ? [r.create] : [])),
      options.actor,
    );
    for (const r of rows) {
      if (!r.patch) continue;
      const result = await changeOrder(client, r.id!, r.patch, options.actor);
      // The order is locked since it was planned: the same rules give the same answer.
      if ('refusal' in result) throw new Error(`import: order ${r.id} refused a planned change`);
    }
    return { rows, committed: true };
  });
}
