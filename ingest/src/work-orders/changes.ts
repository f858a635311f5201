import type { Message } from '@takt/protocol';
import type { PoolClient } from 'pg';
import {
  diffOrder,
  planSplit,
  statusRefusal,
  type FieldChange,
  type OperationInput,
  type OrderPatch,
  type OrderState,
} from '../domain/order-changes';
import type { OperationStatus } from '../domain/work-orders';

export { diffOrder, type FieldChange, type OperationInput, type OrderPatch };

/**
 * Changes to work orders, applied in the caller's transaction (docs/decisions.md, "Issue 20 —
 * order changes and their trail"): the order's row is locked, the pure rules in
 * domain/order-changes.ts decide, and every change is written as a `changed` event with who,
 * from where, the fields before and after, and the reason, so the order's history is its trail.
 */

/** Who changes the order, and through what: a person on the API, or an import. */
export interface Actor {
  by: string;
  source: 'api' | 'import' | 'watched-folder';
}

export type ChangeKind = 'edit' | 'hold' | 'resume' | 'cancel' | 'split' | 'import';

export type ChangeResult = { changes: FieldChange[] } | { refusal: Message };

/** The order as it stands, its row locked until the transaction ends; undefined if none. */
export async function lockOrder(client: PoolClient, id: string): Promise<OrderState | undefined> {
  const head = await client.query<{
    id: string;
    quantity: number;
    due_at: Date | null;
    priority: number;
    customer: string | null;
    held: boolean;
    cancelled: boolean;
  }>(
    `SELECT id, quantity, due_at, priority, customer, held_at IS NOT NULL AS held,
            cancelled_at IS NOT NULL AS cancelled
       FROM work_orders WHERE id = $1 FOR UPDATE`,
    [id],
  );
  const row = head.rows[0];
  if (!row) return undefined;
  const ops = await client.query<{
    id: string;
    machine_id: string;
    status: OperationStatus;
    good: string;
  }>(
    'SELECT id, machine_id, status, good FROM work_order_operations WHERE work_order_id = $1 ORDER BY position',
    [id],
  );
  return {
    id: row.id,
    quantity: row.quantity,
    dueAt: row.due_at?.toISOString() ?? null,
    priority: row.priority,
    customer: row.customer,
    held: row.held,
    cancelled: row.cancelled,
    operations: ops.rows.map((o) => ({
      id: o.id,
      machine: o.machine_id,
      status: o.status,
      good: Number(o.good),
    })),
  };
}

/** One `changed` event in the order's history: before / after hold only what changed. */
export async function recordChange(
  client: PoolClient,
  order: string,
  change: ChangeKind,
  actor: Actor,
  fields: { before: Record<string, unknown>; after: Record<string, unknown> },
  extra: Record<string, unknown> = {},
): Promise<void> {
  await client.query(
    `INSERT INTO work_order_events (work_order_id, time, kind, detail)
     VALUES ($1, now(), 'changed', $2)`,
    [order, { change, by: actor.by, source: actor.source, ...fields, ...extra }],
  );
}

const notFound = (id: string): Message => ({ key: 'orders.notFound', params: { order: id } });

const sides = (changes: readonly FieldChange[]) => ({
  before: Object.fromEntries(changes.map((c) => [c.field, c.before])),
  after: Object.fromEntries(changes.map((c) => [c.field, c.after])),
});

/** The new routing written over the old: started operations keep their rows and counts. */
async function writeRouting(client: PoolClient, id: string, routing: readonly OperationInput[]) {
  await client.query(
    `DELETE FROM work_order_operations
      WHERE work_order_id = $1 AND status = 'pending' AND NOT (id = ANY($2::text[]))`,
    [id, routing.map((o) => o.id)],
  );
  await client.query(
    `INSERT INTO work_order_operations (work_order_id, position, id, machine_id)
     SELECT $1, u.position, u.id, u.machine
       FROM unnest($2::int4[], $3::text[], $4::text[]) AS u(position, id, machine)
     ON CONFLICT (work_order_id, id)
       DO UPDATE SET position = EXCLUDED.position, machine_id = EXCLUDED.machine_id`,
    [id, routing.map((_, i) => i), routing.map((o) => o.id), routing.map((o) => o.machine)],
  );
}

/**
 * Apply a patch: the fields that differ are written and logged as one change (`edit`, or
 * `import` when an import updates the order); nothing differs, nothing is written.
 */
export async function changeOrder(
  client: PoolClient,
  id: string,
  patch: OrderPatch,
  actor: Actor,
): Promise<ChangeResult> {
  const order = await lockOrder(client, id);
  if (!order) return { refusal: notFound(id) };
  const decision = diffOrder(order, patch);
  if (decision.refusal) return { refusal: decision.refusal };
  const { changes } = decision;
  if (changes.length === 0) return { changes };
  const after = sides(changes).after;
  await client.query(
    `UPDATE work_orders SET
       quantity = CASE WHEN $2 THEN $3::int4 ELSE quantity END,
       due_at = CASE WHEN $4 THEN $5::timestamptz ELSE due_at END,
       priority = CASE WHEN $6 THEN $7::int4 ELSE priority END,
       customer = CASE WHEN $8 THEN $9::text ELSE customer END
     WHERE id = $1`,
    [
      id,
      'quantity' in after,
      after.quantity ?? null,
      'dueAt' in after,
      after.dueAt ?? null,
      'priority' in after,
      after.priority ?? null,
      'customer' in after,
      after.customer ?? null,
    ],
  );
  if (patch.routing && 'routing' in after) await writeRouting(client, id, patch.routing);
  await recordChange(client, id, actor.source === 'api' ? 'edit' : 'import', actor, sides(changes));
  return { changes };
}

/** Hold (with a reason), resume, or cancel (with a reason) the order. */
export async function setOrderState(
  client: PoolClient,
  id: string,
  change: 'hold' | 'resume' | 'cancel',
  actor: Actor,
  reason?: string,
): Promise<ChangeResult> {
  const order = await lockOrder(client, id);
  if (!order) return { refusal: notFound(id) };
  const refusal = statusRefusal(order, change);
  if (refusal) return { refusal };
  const before = { held: order.held, cancelled: order.cancelled };
  const after =
    change === 'cancel'
      ? { held: order.held, cancelled: true }
      : { held: change === 'hold', cancelled: false };
  if (change === 'hold')
    await client.query(
      'UPDATE work_orders SET held_at = now(), held_by = $2, hold_reason = $3 WHERE id = $1',
      [id, actor.by, reason ?? null],
    );
  else if (change === 'resume')
    await client.query(
      'UPDATE work_orders SET held_at = NULL, held_by = NULL, hold_reason = NULL WHERE id = $1',
      [id],
    );
  else
    await client.query(
      'UPDATE work_orders SET cancelled_at = now(), cancelled_by = $2, cancel_reason = $3 WHERE id = $1',
      [id, actor.by, reason ?? null],
    );
  const changed = (Object.keys(before) as (keyof typeof before)[]).filter(
    (k) => before[k] !== after[k],
  );
  const pick = (o: typeof before) => Object.fromEntries(changed.map((k) => [k, o[k]]));
  await recordChange(
    client,
    id,
    change,
    actor,
    { before: pick(before), after: pick(after) },
    reason === undefined ? {} : { reason },
  );
  return {
    changes: changed.map((field) => ({
      field: field as FieldChange['field'],
      before: before[field],
      after: after[field],
    })),
  };
}

/** The first free id `<id>-2`, `<id>-3`, … for a split without a new id. */
async function freeSplitId(client: PoolClient, id: string): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    "SELECT id FROM work_orders WHERE id LIKE $1 || '-%'",
    [id.replace(/[\\%_]/g, (c) => `\\${c}`)],
  );
  const taken = new Set(rows.map((r) => r.id));
  let n = 2;
  while (taken.has(`${id}-${n}`)) n++;
  return `${id}-${n}`.slice(0, 64);
}

/**
 * Split `quantity` pieces off into a new order (`newId`, or `<id>-2`…): the original keeps
 * the pieces made and the rest of its quantity; the new one gets the operations not yet done,
 * the same product, due date, customer and priority, and a `changed`/split event naming its
 * origin, as the original gets one naming it.
 */
export async function splitOrder(
  client: PoolClient,
  id: string,
  quantity: number,
  actor: Actor,
  newId?: string,
): Promise<{ newId: string; changes: FieldChange[] } | { refusal: Message }> {
  const order = await lockOrder(client, id);
  if (!order) return { refusal: notFound(id) };
  const planned = planSplit(order, quantity);
  if ('refusal' in planned) return planned;
  const { plan } = planned;
  const target = newId ?? (await freeSplitId(client, id));
  const inserted = await client.query(
    `INSERT INTO work_orders (id, product_id, quantity, due_at, customer, priority, split_from)
     SELECT $2, product_id, $3, due_at, customer, priority, id FROM work_orders WHERE id = $1
     ON CONFLICT (id) DO NOTHING`,
    [id, target, plan.moved],
  );
  if (inserted.rowCount === 0)
    return { refusal: { key: 'orders.splitIdTaken', params: { id: target } } };
  await writeRouting(client, target, plan.operations);
  await client.query('UPDATE work_orders SET quantity = $2 WHERE id = $1', [id, plan.keep]);
  await client.query(
    "INSERT INTO work_order_events (work_order_id, time, kind) VALUES ($1, now(), 'created')",
    [target],
  );
  await recordChange(
    client,
    id,
    'split',
    actor,
    { before: { quantity: order.quantity }, after: { quantity: plan.keep } },
    { into: target, moved: plan.moved },
  );
  await recordChange(
    client,
    target,
    'split',
    actor,
    { before: { quantity: null }, after: { quantity: plan.moved } },
    { from: id, moved: plan.moved },
  );
  return {
    newId: target,
    changes: [{ field: 'quantity', before: order.quantity, after: plan.keep }],
  };
}
