import type { Nonconformance, NcSummary, OrderNc } from '@takt/protocol';
import type { Pool } from 'pg';
import { inRework } from './rules';

/** NC records as the API answers them, with their trails (docs/decisions.md, "Issue 23 — nonconformance and rework"). */

interface NcRow {
  id: string;
  work_order_id: string;
  operation_id: string;
  product_id: string | null;
  machine_id: string | null;
  quantity: number;
  reason: string;
  source: Nonconformance['source'];
  characteristic: string | null;
  note: string | null;
  status: Nonconformance['status'];
  disposition: Nonconformance['disposition'];
  approver: string | null;
  reworked: number;
  scrapped: number;
  opened_at: Date;
  opened_by: string;
  closed_at: Date | null;
}

export interface NcFilter {
  status?: Nonconformance['status'] | undefined;
  workOrder?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  ids?: number[] | undefined;
  limit?: number | undefined;
}

export async function listNcs(pool: Pool, f: NcFilter): Promise<Nonconformance[]> {
  const { rows } = await pool.query<NcRow>(
    `SELECT * FROM nonconformances
      WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR work_order_id = $2)
        AND ($3::timestamptz IS NULL OR opened_at >= $3) AND ($4::timestamptz IS NULL OR opened_at < $4)
        AND ($5::bigint[] IS NULL OR id = ANY($5))
      ORDER BY opened_at DESC, id DESC LIMIT $6`,
    [
      f.status ?? null,
      f.workOrder ?? null,
      f.from ?? null,
      f.to ?? null,
      f.ids ?? null,
      f.limit ?? 1000,
    ],
  );
  const changes = await pool.query<{
    nonconformance_id: string;
    time: Date;
    change: 'open' | 'disposition' | 'rework';
    by: string;
    detail: Record<string, unknown>;
  }>(
    `SELECT nonconformance_id, time, change, by, detail FROM nonconformance_changes
      WHERE nonconformance_id = ANY($1::bigint[]) ORDER BY time, id`,
    [rows.map((r) => r.id)],
  );
  return rows.map((r) => {
    const id = Number(r.id);
    return {
      id,
      workOrder: r.work_order_id,
      operation: r.operation_id,
      product: r.product_id,
      machine: r.machine_id,
      quantity: r.quantity,
      reason: r.reason,
      source: r.source,
      characteristic: r.characteristic,
      note: r.note,
      status: r.status,
      disposition: r.disposition,
      approver: r.approver,
      reworked: r.reworked,
      scrapped: r.scrapped,
      inRework: inRework({ ...r, id }),
      openedAt: r.opened_at.toISOString(),
      openedBy: r.opened_by,
      closedAt: r.closed_at?.toISOString() ?? null,
      changes: changes.rows
        .filter((c) => c.nonconformance_id === r.id)
        .map((c) => ({ time: c.time.toISOString(), change: c.change, by: c.by, detail: c.detail })),
    };
  });
}

export async function oneNc(pool: Pool, id: number): Promise<Nonconformance | undefined> {
  return (await listNcs(pool, { ids: [id], limit: 1 }))[0];
}

/** NCs opened in [from, to): how many and how many pieces, by reason, product and machine. */
export async function ncSummary(pool: Pool, from: string, to: string): Promise<NcSummary> {
  const by = async (column: 'reason' | 'product_id' | 'machine_id') => {
    const { rows } = await pool.query<{ key: string | null; count: string; quantity: string }>(
      `SELECT ${column} AS key, count(*) AS count, sum(quantity) AS quantity FROM nonconformances
        WHERE opened_at >= $1 AND opened_at < $2 GROUP BY 1 ORDER BY 3 DESC, 1`,
      [from, to],
    );
    return rows.map((r) => ({ key: r.key, count: Number(r.count), quantity: Number(r.quantity) }));
  };
  const [byReason, byProduct, byMachine, total] = await Promise.all([
    by('reason'),
    by('product_id'),
    by('machine_id'),
    pool.query<{ count: string; quantity: string | null; in_rework: string | null }>(
      `SELECT count(*) AS count, sum(quantity) AS quantity,
              sum(CASE WHEN status = 'rework' THEN quantity - reworked - scrapped ELSE 0 END) AS in_rework
         FROM nonconformances WHERE opened_at >= $1 AND opened_at < $2`,
      [from, to],
    ),
  ]);
  const t = total.rows[0]!;
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    total: {
      count: Number(t.count),
      quantity: Number(t.quantity ?? 0),
      inRework: Number(t.in_rework ?? 0),
    },
    byReason,
    byProduct,
    byMachine,
  };
}

/** An order's NCs and, per operation of its routing, pieces in rework and NC counts; undefined: no order. */
export async function orderNcs(pool: Pool, order: string): Promise<OrderNc | undefined> {
  const ops = await pool.query<{ id: string }>(
    'SELECT id FROM work_order_operations WHERE work_order_id = $1 ORDER BY position',
    [order],
  );
  if (ops.rowCount === 0) {
    const exists = await pool.query('SELECT 1 FROM work_orders WHERE id = $1', [order]);
    if (exists.rowCount === 0) return undefined;
  }
  const ncs = await listNcs(pool, { workOrder: order });
  return {
    workOrder: order,
    operations: ops.rows.map(({ id }) => {
      const mine = ncs.filter((n) => n.operation === id);
      return {
        operation: id,
        inRework: mine.reduce((s, n) => s + n.inRework, 0),
        open: mine.filter((n) => n.status !== 'closed').length,
        count: mine.length,
      };
    }),
    nonconformances: ncs,
  };
}
