import type { NcDispositionBody, NcOpenBody, NcReworkBody, Role } from '@takt/protocol';
import { NC_APPROVER_ROLES } from '@takt/protocol';
import type { PoolClient } from 'pg';
import { rejectReasonIds } from '../queries/reject-reasons';
import {
  dispositionDecision,
  openDecision,
  reworkDecision,
  type NcState,
  type PieceMove,
  type Refusal,
} from './rules';

/**
 * NC records written in the caller's transaction (docs/decisions.md, "Issue 23 —
 * nonconformance and rework"): the operation's row is locked so two NCs cannot hold the same
 * rejected pieces, the rules (rules.ts) decide, and every change is a row of
 * nonconformance_changes with who and when. A move of pieces is a `count` event of the order
 * at the change's time, so progress, scrap and the weekly figures count it once, there.
 */

/** Who acts: the signed-in user's name and role. */
export interface NcActor {
  by: string;
  role: Role;
}

export type NcResult = { id: number } | Refusal;

interface OpRow {
  machine_id: string;
  good: string;
  rejected: string;
  product_id: string | null;
  cancelled: boolean;
}

/** The operation's row locked, with its order's product, or undefined. */
async function lockOperation(c: PoolClient, order: string, operation: string) {
  const { rows } = await c.query<OpRow>(
    `SELECT o.machine_id, o.good, o.rejected, w.product_id, w.cancelled_at IS NOT NULL AS cancelled
       FROM work_order_operations o JOIN work_orders w ON w.id = o.work_order_id
      WHERE o.work_order_id = $1 AND o.id = $2
        FOR UPDATE OF o`,
    [order, operation],
  );
  return rows[0];
}

/** Pieces of the operation's NCs still counted rejected. */
async function heldByNcs(c: PoolClient, order: string, operation: string): Promise<number> {
  const { rows } = await c.query<{ n: string }>(
    `SELECT coalesce(sum(quantity - reworked - CASE WHEN disposition = 'use-as-is' THEN quantity ELSE 0 END), 0) AS n
       FROM nonconformances WHERE work_order_id = $1 AND operation_id = $2`,
    [order, operation],
  );
  return Number(rows[0]!.n);
}

/** Reject reasons of the plant models loaded, every site's (none: any reason is taken). */
async function rejectReasons(c: PoolClient): Promise<string[]> {
  return [...new Set([...(await rejectReasonIds(c)).values()].flat())];
}

/** The move as a count event of the operation, and the operation's sums again. */
async function movePieces(
  c: PoolClient,
  at: Date,
  nc: { id: number; order: string; operation: string; machine: string | null },
  move: PieceMove,
  by: string,
) {
  await c.query(
    `INSERT INTO work_order_events (work_order_id, time, kind, operation_id, good, rejected, detail, machine_id)
     VALUES ($1, $2, 'count', $3, $4, $5, $6, $7)`,
    [
      nc.order,
      at,
      nc.operation,
      move.good,
      move.rejected,
      JSON.stringify({ source: move.source, nc: nc.id, by }),
      nc.machine,
    ],
  );
  // Operations' good and rejected are the sums of their count events (work-orders/apply.ts).
  await c.query(
    `UPDATE work_order_operations o
        SET good = s.good, rejected = s.rejected
       FROM (SELECT coalesce(sum(good), 0) AS good, coalesce(sum(rejected), 0) AS rejected
               FROM work_order_events
              WHERE work_order_id = $1 AND operation_id = $2 AND kind = 'count') s
      WHERE o.work_order_id = $1 AND o.id = $2`,
    [nc.order, nc.operation],
  );
}

async function trail(
  c: PoolClient,
  id: number,
  at: Date,
  change: 'open' | 'disposition' | 'rework',
  by: string,
  detail: Record<string, unknown>,
) {
  await c.query(
    'INSERT INTO nonconformance_changes (nonconformance_id, time, change, by, detail) VALUES ($1, $2, $3, $4, $5)',
    [id, at, change, by, JSON.stringify(detail)],
  );
}

export async function openNc(
  c: PoolClient,
  body: NcOpenBody,
  actor: NcActor,
  now: number,
): Promise<NcResult> {
  const exists = await c.query('SELECT 1 FROM work_orders WHERE id = $1', [body.workOrder]);
  if (exists.rowCount === 0)
    return { status: 404, message: { key: 'nc.orderNotFound', params: { order: body.workOrder } } };
  const op = await lockOperation(c, body.workOrder, body.operation);
  if (!op)
    return {
      status: 400,
      message: {
        key: 'nc.unknownOperation',
        params: { order: body.workOrder, operation: body.operation },
      },
    };
  if (op.cancelled)
    return {
      status: 409,
      message: { key: 'nc.orderCancelled', params: { order: body.workOrder } },
    };
  const decided = openDecision(
    body,
    {
      order: body.workOrder,
      operation: body.operation,
      good: Number(op.good),
      rejected: Number(op.rejected),
      heldByNcs: await heldByNcs(c, body.workOrder, body.operation),
    },
    await rejectReasons(c),
  );
  if ('status' in decided) return decided;
  const at = new Date(now);
  const { rows } = await c.query<{ id: string }>(
    `INSERT INTO nonconformances (work_order_id, operation_id, product_id, machine_id, quantity, reason,
                                  source, characteristic, note, opened_at, opened_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [
      body.workOrder,
      body.operation,
      op.product_id,
      op.machine_id,
      body.quantity,
      body.reason,
      body.source,
      body.characteristic ?? null,
      body.note ?? null,
      at,
      actor.by,
    ],
  );
  const id = Number(rows[0]!.id);
  await trail(c, id, at, 'open', actor.by, {
    quantity: body.quantity,
    reason: body.reason,
    source: body.source,
    ...(body.note ? { note: body.note } : {}),
  });
  if (decided.move)
    await movePieces(
      c,
      at,
      { id, order: body.workOrder, operation: body.operation, machine: op.machine_id },
      decided.move,
      actor.by,
    );
  return { id };
}

interface LockedNc extends NcState {
  order: string;
  operation: string;
  machine: string | null;
}

/** The NC's operation, then the NC, locked (the open route locks in the same order). */
async function lockNc(c: PoolClient, id: number): Promise<LockedNc | undefined> {
  const head = await c.query<{ work_order_id: string; operation_id: string }>(
    'SELECT work_order_id, operation_id FROM nonconformances WHERE id = $1',
    [id],
  );
  const h = head.rows[0];
  if (!h) return undefined;
  await lockOperation(c, h.work_order_id, h.operation_id);
  const { rows } = await c.query<{
    status: NcState['status'];
    quantity: number;
    reworked: number;
    scrapped: number;
    machine_id: string | null;
  }>(
    'SELECT status, quantity, reworked, scrapped, machine_id FROM nonconformances WHERE id = $1 FOR UPDATE',
    [id],
  );
  const r = rows[0]!;
  return {
    id,
    status: r.status,
    quantity: r.quantity,
    reworked: r.reworked,
    scrapped: r.scrapped,
    order: h.work_order_id,
    operation: h.operation_id,
    machine: r.machine_id,
  };
}

const notFound = (id: number): Refusal => ({
  status: 404,
  message: { key: 'nc.notFound', params: { id: String(id) } },
});

/**
 * A use-as-is is a concession: its approver is a manager or admin (a user of the plant), and
 * the one who records it is that approver or a manager or admin; an operator cannot name a
 * manager's approval on their own.
 */
async function approvalRefusal(
  c: PoolClient,
  approver: string,
  actor: NcActor,
): Promise<Refusal | null> {
  const { rows } = await c.query<{ role: Role }>(
    'SELECT role FROM users WHERE name = $1 AND disabled_at IS NULL',
    [approver],
  );
  const role = rows[0]?.role;
  if (!role || !(NC_APPROVER_ROLES as readonly string[]).includes(role))
    return { status: 400, message: { key: 'nc.approverNotManager', params: { approver } } };
  if (actor.by !== approver && !(NC_APPROVER_ROLES as readonly string[]).includes(actor.role))
    return { status: 409, message: { key: 'nc.approverNotCaller', params: { approver } } };
  return null;
}

export async function dispositionNc(
  c: PoolClient,
  id: number,
  body: NcDispositionBody,
  actor: NcActor,
  now: number,
): Promise<NcResult> {
  const nc = await lockNc(c, id);
  if (!nc) return notFound(id);
  const decided = dispositionDecision(nc, body);
  if ('message' in decided) return decided;
  if (body.disposition === 'use-as-is') {
    const refused = await approvalRefusal(c, body.approver!, actor);
    if (refused) return refused;
  }
  const at = new Date(now);
  await c.query(
    `UPDATE nonconformances SET status = $2, disposition = $3, approver = $4, scrapped = $5,
            closed_at = CASE WHEN $2 = 'closed' THEN $6::timestamptz END
      WHERE id = $1`,
    [id, decided.status, body.disposition, body.approver ?? null, decided.scrapped, at],
  );
  await trail(c, id, at, 'disposition', actor.by, {
    disposition: body.disposition,
    ...(body.approver ? { approver: body.approver } : {}),
    ...(body.note ? { note: body.note } : {}),
  });
  if (decided.move) await movePieces(c, at, nc, decided.move, actor.by);
  return { id };
}

export async function reworkNc(
  c: PoolClient,
  id: number,
  body: NcReworkBody,
  actor: NcActor,
  now: number,
): Promise<NcResult> {
  const nc = await lockNc(c, id);
  if (!nc) return notFound(id);
  const decided = reworkDecision(nc, body);
  if ('message' in decided) return decided;
  const at = new Date(now);
  const scrapped = body.scrapped ?? 0;
  await c.query(
    `UPDATE nonconformances SET status = $2, reworked = reworked + $3, scrapped = scrapped + $4,
            closed_at = CASE WHEN $2 = 'closed' THEN $5::timestamptz END
      WHERE id = $1`,
    [id, decided.status, body.good, scrapped, at],
  );
  await trail(c, id, at, 'rework', actor.by, {
    good: body.good,
    scrapped,
    ...(body.note ? { note: body.note } : {}),
  });
  if (decided.move) await movePieces(c, at, nc, decided.move, actor.by);
  return { id };
}
