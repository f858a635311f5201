import type { Pool, PoolClient } from 'pg';
import {
  FOLDED_ACTIONS,
  foldScans,
  ORDER_ACTIONS,
  replayApplied,
  type FoldContext,
  type FoldResult,
  type StationScan,
} from '../domain/scan-fold';
import type { WorkOrder } from '../domain/work-orders';
import { stoppedAt, type OrderStopEvent } from '../domain/order-changes';
import type { Rederive } from '../domain/scan-dispatch';
import { loadOrders } from './store';
import { withTransaction } from '../db/transaction';
import { rejectReasonIds } from '../queries/reject-reasons';

type Db = Pick<PoolClient, 'query'>;

/**
 * Derive the work orders again from stored scans and counts, in one transaction, at the
 * scans' own edge time (docs/decisions.md, "Issue 15 — scans at event time"): everything
 * scans did from `what.scansFromMs` on (order statuses, history, refusals, hand counts,
 * work-order modes, machine counts' attribution) is derived again from the stored scans, so
 * live, late, replayed and shuffled delivery give the same orders. What to derive comes from
 * domain/scan-dispatch.ts (a commit, or commits missed before a stop). Returns the scans
 * that found no order.
 */
export async function rederive(pool: Pool, what: Rederive): Promise<StationScan[]> {
  return withTransaction(pool, async (client) => {
    // The counts table may already hold later batches (the writer does not wait for this
    // consumer): attribution is re-derived from it, never added on top.
    const attributed = !what.counts
      ? undefined
      : await attributeCountsFrom(client, new Date(what.counts.fromMs), [...what.counts.machines]);
    const from = Math.min(
      what.scansFromMs ?? Infinity,
      await earliestHandReport(client, what.firstCounting ?? []),
    );
    const refold = from === Infinity ? undefined : await refoldFrom(client, from);
    // Counts alone (the common commit) move the operations' totals by what the attribution
    // took off and put back; a refold rewrites other events too, and its orders are summed again.
    if (refold) await recount(client, [...(attributed?.orders ?? []), ...refold.orders]);
    else if (attributed) await addCounts(client, attributed.moved);
    return refold?.unplaced ?? [];
  });
}

/**
 * The earliest hand report (QTY / REJ) at these machines' stations or naming an order with
 * an operation on them, or Infinity. A machine whose first counter totals just arrived
 * counts its pieces from now on, and a REJ there moves pieces from good (scan-fold
 * `pieces`): its hand reports are folded again, so a REJ that reached ingest before the
 * machine's first totals (a disk-queue replay) ends as it does live.
 */
async function earliestHandReport(db: Db, machines: readonly string[]): Promise<number> {
  if (machines.length === 0) return Infinity;
  const { rows } = await db.query<{ at: Date | null }>(
    `SELECT min(s.time) AS at FROM scans s
      WHERE lower(s.action) IN ('good', 'reject')
        AND (s.station_id = ANY($1::text[])
             OR EXISTS (SELECT 1 FROM work_order_operations o
                         WHERE o.work_order_id = s.work_order AND o.machine_id = ANY($1::text[])))`,
    [machines],
  );
  return rows[0]?.at?.getTime() ?? Infinity;
}

/**
 * Derive everything scans did from `from` on again. The fold is causal (a scan's effect
 * depends only on scans before it), so history before `from` stands, and the orders are
 * taken as their applied scans before `from` left them.
 */
async function refoldFrom(
  db: Db,
  from: number,
): Promise<{ orders: string[]; unplaced: StationScan[] }> {
  const at = new Date(from);
  const { rows: ids } = await db.query<{ id: string }>(
    `SELECT id FROM work_orders w
      WHERE id IN (SELECT work_order_id FROM work_order_events WHERE time >= $1 AND kind <> 'created')
         OR id IN (SELECT work_order FROM scans WHERE time >= $1)
         OR EXISTS (SELECT 1 FROM work_order_operations o
                     WHERE o.work_order_id = w.id AND o.status IN ('running', 'paused'))`,
    [at],
  );
  const orders = await ordersAt(
    db,
    ids.map((r) => r.id),
    at,
  );
  const result = foldScans(
    { orders, operators: await operatorsAt(db, at) },
    await scansFrom(db, at),
    await foldContext(db),
  );
  // Machine counts (detail null) are re-attributed below, from the counts table. Pieces an NC
  // moved (sources nc, rework, concession: ingest/src/nonconformance/store.ts) are a person's
  // record, not the fold's, and stay.
  const removed = await db.query<{ machine_id: string | null; kind: string }>(
    `DELETE FROM work_order_events
      WHERE time >= $1 AND (kind IN ('scan', 'refused')
                            OR (kind = 'count' AND detail IS NOT NULL
                                AND coalesce(detail->>'source', '') NOT IN ('nc', 'rework', 'concession')))
      RETURNING machine_id, kind`,
    [at],
  );
  await db.query(
    "DELETE FROM machine_modes WHERE source IN ('scan', 'work_order') AND time >= $1",
    [at],
  );
  await writeFold(db, result);
  // A machine's counts go to the operation its last start, pause or complete scan event
  // names (ATTRIBUTE). Events before `at` stand, so only a machine with scan events from `at`
  // on, before or after the fold, can have its counts from `at` go elsewhere: only those are
  // attributed again, not every machine's (docs/decisions.md "Issue 22 — rollups once a
  // minute is over").
  const scanned = new Set<string>();
  for (const r of removed.rows) if (r.kind === 'scan' && r.machine_id) scanned.add(r.machine_id);
  for (const e of result.events) if (e.kind === 'scan' && e.machine) scanned.add(e.machine);
  const touched =
    scanned.size === 0 ? [] : (await attributeCountsFrom(db, at, [...scanned])).orders;
  return { orders: [...result.orders.keys(), ...touched], unplaced: result.unplaced };
}

/** Pieces an attribution moved onto (positive) or off (negative) one operation. */
interface Moved {
  order: string;
  operation: string;
  good: number;
  rejected: number;
}

/**
 * The operations' totals moved by what an attribution deleted and wrote: each total stays the
 * sum of its count events (what `recount` sums), without reading every event of the order
 * again. At 1,000 machines counting every second that sum grew by 1,000 events a second and
 * was read on every commit (docs/decisions.md "Issue 22 — the sixth pass").
 */
async function addCounts(db: Db, moved: readonly Moved[]): Promise<void> {
  const byOp = new Map<string, Moved>();
  for (const m of moved) {
    const key = `${m.order}\u0000${m.operation}`;
    const sum = byOp.get(key);
    if (sum) {
      sum.good += m.good;
      sum.rejected += m.rejected;
    } else byOp.set(key, { ...m });
  }
  const changed = [...byOp]
    .sort(([a], [b]) => (a < b ? -1 : 1)) // a fixed lock order
    .map(([, m]) => m)
    .filter((m) => m.good !== 0 || m.rejected !== 0);
  if (changed.length === 0) return;
  await db.query(
    `UPDATE work_order_operations o
        SET good = o.good + u.good, rejected = o.rejected + u.rejected
       FROM unnest($1::text[], $2::text[], $3::int8[], $4::int8[]) AS u(work_order_id, id, good, rejected)
      WHERE o.work_order_id = u.work_order_id AND o.id = u.id`,
    [
      changed.map((m) => m.order),
      changed.map((m) => m.operation),
      changed.map((m) => m.good),
      changed.map((m) => m.rejected),
    ],
  );
}

/**
 * Operations' good and rejected pieces: the sums of their count events, read from their minute
 * rollup (migrations 058 and 060, kept exact by triggers in this transaction), so a recount
 * costs the same however long the order ran.
 */
async function recount(db: Db, orders: readonly string[]): Promise<void> {
  if (orders.length === 0) return;
  await db.query(
    `UPDATE work_order_operations o
        SET good = coalesce(s.good, 0), rejected = coalesce(s.rejected, 0)
       FROM (SELECT p.work_order_id, p.id, sum(c.good) AS good, sum(c.rejected) AS rejected
               FROM work_order_operations p
               LEFT JOIN operation_counts_1m c
                 ON c.work_order_id = p.work_order_id AND c.operation_id = p.id
              WHERE p.work_order_id = ANY($1::text[])
              GROUP BY 1, 2) s
      WHERE o.work_order_id = s.work_order_id AND o.id = s.id`,
    [[...new Set(orders)]],
  );
}

/** The orders as their applied start/pause/complete scans before `at` left them. */
async function ordersAt(db: Db, ids: string[], at: Date): Promise<Map<string, WorkOrder>> {
  const records = await loadOrders(db, ids);
  const { rows } = await db.query<{
    work_order_id: string;
    operation_id: string;
    action: (typeof ORDER_ACTIONS)[number];
    time: Date;
  }>(
    `SELECT work_order_id, operation_id, detail->>'action' AS action, time FROM work_order_events
      WHERE work_order_id = ANY($1::text[]) AND kind = 'scan' AND time < $2
        AND detail->>'action' IN ('start', 'pause', 'complete')
      ORDER BY time, id`,
    [ids, at],
  );
  const out = new Map<string, WorkOrder>();
  for (const r of records) {
    const applied = rows
      .filter((e) => e.work_order_id === r.order.id)
      .map((e) => ({ operation: e.operation_id, action: e.action, ts: e.time.getTime() }));
    out.set(r.order.id, replayApplied(r.order, applied));
  }
  return out;
}

/** Who was badged in at each station just before `at`: its last login or logout scan. */
async function operatorsAt(db: Db, at: Date): Promise<Map<string, string>> {
  const { rows } = await db.query<{ station_id: string; action: string; operator: string | null }>(
    `SELECT DISTINCT ON (station_id) station_id, lower(action) AS action, operator FROM scans
      WHERE time < $1 AND (lower(action) = 'logout' OR (lower(action) = 'login' AND operator IS NOT NULL))
      ORDER BY station_id, time DESC, gateway_id DESC, seq DESC NULLS LAST`,
    [at],
  );
  return new Map(rows.filter((r) => r.action === 'login').map((r) => [r.station_id, r.operator!]));
}

/** Scans from `at` on, in the fold's order: edge time, then gateway and its seq. */
async function scansFrom(db: Db, at: Date): Promise<StationScan[]> {
  const { rows } = await db.query<{
    time: Date;
    station_id: string;
    code: string;
    action: string;
    work_order: string | null;
    operation: string | null;
    operator: string | null;
    reason: string | null;
    quantity: number | null;
  }>(
    `SELECT time, station_id, code, lower(action) AS action, work_order, operation, operator, reason, quantity
       FROM scans WHERE time >= $1 AND lower(action) = ANY($2::text[])
      ORDER BY time, gateway_id, seq`,
    [at, FOLDED_ACTIONS],
  );
  return rows.map((r) => ({
    ts: r.time.getTime(),
    station: r.station_id,
    code: r.code,
    action: r.action,
    workOrder: r.work_order,
    operation: r.operation,
    operator: r.operator,
    reason: r.reason,
    quantity: r.quantity ?? 1,
  }));
}

async function foldContext(db: Db): Promise<FoldContext> {
  const { rows } = await db.query<{
    id: string;
    counts: boolean;
    order_driven: boolean;
    site_id: string | null;
  }>('SELECT id, good_total IS NOT NULL AS counts, order_driven, site_id FROM machines');
  const reasons = await rejectReasonIds(db);
  const site = new Map(rows.map((r) => [r.id, String(r.site_id)]));
  return {
    counting: new Set(rows.filter((r) => r.counts).map((r) => r.id)),
    orderDriven: new Set(rows.filter((r) => r.order_driven).map((r) => r.id)),
    rejectReasons: (machine) => reasons.get(site.get(machine) ?? '') ?? [],
    stoppedAt: stoppedAt(await orderStops(db)),
  };
}

/** Holds, resumes and cancels of orders, oldest first (`changed` events, migration 038). */
async function orderStops(db: Db): Promise<OrderStopEvent[]> {
  const { rows } = await db.query<{ order: string; time: Date; change: OrderStopEvent['change'] }>(
    `SELECT work_order_id AS order, time, detail->>'change' AS change FROM work_order_events
      WHERE kind = 'changed' AND detail->>'change' IN ('hold', 'resume', 'cancel')
      ORDER BY time, id`,
  );
  return rows.map((r) => ({ order: r.order, ts: r.time.getTime(), change: r.change }));
}

/** The fold's events, modes and operation statuses, each written with one statement. */
async function writeFold(db: Db, result: FoldResult): Promise<void> {
  const e = result.events;
  await db.query(
    `INSERT INTO work_order_events (work_order_id, time, kind, operation_id, good, rejected, detail, machine_id)
     SELECT o, t, k, op, g, r, d, m
       FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::int8[], $6::int8[], $7::jsonb[], $8::text[])
            WITH ORDINALITY AS u(o, t, k, op, g, r, d, m, n)
      ORDER BY n`,
    [
      e.map((x) => x.order),
      e.map((x) => new Date(x.ts)),
      e.map((x) => x.kind),
      e.map((x) => x.operation),
      e.map((x) => (x.kind === 'count' ? x.good : null)),
      e.map((x) => (x.kind === 'count' ? x.rejected : null)),
      e.map((x) => JSON.stringify(x.detail)),
      e.map((x) => x.machine),
    ],
  );
  const m = result.modes;
  await db.query(
    `INSERT INTO machine_modes (machine_id, time, mode, source, detail)
     SELECT machine, t, mode, source, detail
       FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::jsonb[])
            WITH ORDINALITY AS u(machine, t, mode, source, detail, n)
      ORDER BY n`,
    [
      m.map((x) => x.machine),
      m.map((x) => new Date(x.ts)),
      m.map((x) => x.mode),
      m.map((x) => x.source),
      m.map((x) => (x.detail === null ? null : JSON.stringify(x.detail))),
    ],
  );
  const ops = [...result.orders.values()].flatMap((o) => o.operations.map((op) => ({ o, op })));
  await db.query(
    `UPDATE work_order_operations w SET status = u.status, started_at = u.started, completed_at = u.completed
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[]) AS u(wo, id, status, started, completed)
      WHERE w.work_order_id = u.wo AND w.id = u.id`,
    [
      ops.map((x) => x.o.id),
      ops.map((x) => x.op.id),
      ops.map((x) => x.op.status),
      ops.map((x) => (x.op.startedAt === null ? null : new Date(x.op.startedAt))),
      ops.map((x) => (x.op.completedAt === null ? null : new Date(x.op.completedAt))),
    ],
  );
}

/**
 * Pieces a machine made go to the operation that was running on it at the count's edge
 * time (the last start, pause or complete scan on that machine at or before it), so a count
 * that arrives after the operation was paused or completed still goes to the right order.
 */
const ATTRIBUTE = `
  INSERT INTO work_order_events (work_order_id, time, kind, operation_id, machine_id, good, rejected)
  SELECT last.work_order_id, c.time, 'count', last.operation_id, c.machine_id, c.good, c.reject
    FROM counts_in c
    JOIN LATERAL (
      SELECT work_order_id, operation_id, detail->>'action' AS action FROM work_order_events
       WHERE machine_id = c.machine_id AND kind = 'scan' AND time <= c.time
         AND detail->>'action' IN ('start', 'pause', 'complete')
       ORDER BY time DESC, id DESC LIMIT 1) last ON last.action = 'start'
   WHERE c.good <> 0 OR c.reject <> 0
   ORDER BY c.time, c.machine_id`;

/**
 * Machine counts from `at` on (of `machines`, or all), attributed again from the counts
 * table: idempotent, whatever batches the table holds already. Returns the orders touched and
 * the pieces moved per operation (taken off what was deleted, added what was written).
 */
async function attributeCountsFrom(
  db: Db,
  at: Date,
  machines: string[] | null,
): Promise<{ orders: string[]; moved: Moved[] }> {
  type Row = { work_order_id: string; operation_id: string; good: string; rejected: string };
  const removed = await db.query<Row>(
    `DELETE FROM work_order_events
      WHERE kind = 'count' AND detail IS NULL AND time >= $1 AND ($2::text[] IS NULL OR machine_id = ANY($2::text[]))
      RETURNING work_order_id, operation_id, good, rejected`,
    [at, machines],
  );
  const added = await db.query<Row>(
    `WITH counts_in AS (
       SELECT time, machine_id, good, reject FROM counts
        WHERE time >= $1 AND ($2::text[] IS NULL OR machine_id = ANY($2::text[])))
     ${ATTRIBUTE} RETURNING work_order_id, operation_id, good, rejected`,
    [at, machines],
  );
  const moved = (rows: Row[], sign: number) =>
    rows.map((r) => ({
      order: r.work_order_id,
      operation: r.operation_id,
      good: sign * Number(r.good ?? 0),
      rejected: sign * Number(r.rejected ?? 0),
    }));
  return {
    orders: [...new Set([...removed.rows, ...added.rows].map((r) => r.work_order_id))],
    moved: [...moved(removed.rows, -1), ...moved(added.rows, 1)],
  };
}
