/**
 * The weekly KPI board and quality on analytics (docs/decisions.md "Issue 19 — KPI board and
 * quality on analytics"): rows read here, figures from ingest/src/domain/kpi-weeks.ts and
 * ingest/src/domain/order-kpis.ts.
 */
import { KPI_NAMES, type KpiWeek, type KpiWeekly, type QualityReport } from '@takt/protocol/api';
import type { Pool } from 'pg';
import {
  firstPassYield,
  plantDayList,
  plantWeeks,
  rejectPareto,
  scrapSeries,
  trendOf,
  type PlantWeek,
} from '../domain/kpi-weeks';
import { deliveryKpis, operatorHours, type CompletedOrder } from '../domain/order-kpis';
import { machineWindows } from './machine-windows';
import { combineParts, MACHINE_ROWS, partOf, type MachineRow } from './oee';

export interface OrderFilter {
  customer?: string | undefined;
  product?: string | undefined;
}

/** `w` is work_orders; $1 the customer, $2 the product (null: any). */
const FILTERED =
  '($1::text IS NULL OR w.customer = $1) AND ($2::text IS NULL OR w.product_id = $2)';
const filterArgs = (f: OrderFilter) => [f.customer ?? null, f.product ?? null];

export async function plantTimeZone(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ time_zone: string }>(
    'SELECT time_zone FROM sites ORDER BY id LIMIT 1',
  );
  return rows[0]?.time_zone ?? 'UTC';
}

/** Which week of `weeks` an instant falls in (-1: none). */
const weekIndex = (weeks: readonly PlantWeek[], ts: number) =>
  weeks.findIndex((w) => ts >= w.from && ts < w.to);

interface DoneRow {
  customer: string | null;
  product_id: string | null;
  created_at: Date;
  due_at: Date | null;
  completed_at: Date;
  good: string;
  rejected: string;
}

/** Orders whose last operation completed in [from, to), with their pieces over all operations. */
async function completedOrders(pool: Pool, f: OrderFilter, from: number, to: number) {
  const { rows } = await pool.query<DoneRow>(
    `SELECT w.customer, w.product_id, w.created_at, w.due_at, max(o.completed_at) AS completed_at,
            sum(o.good) AS good, sum(o.rejected) AS rejected
       FROM work_orders w JOIN work_order_operations o ON o.work_order_id = w.id
      WHERE ${FILTERED}
      GROUP BY w.id
     HAVING bool_and(o.status = 'done') AND max(o.completed_at) >= $3 AND max(o.completed_at) < $4`,
    [...filterArgs(f), new Date(from), new Date(to)],
  );
  return rows;
}

const asCompleted = (r: DoneRow): CompletedOrder => ({
  createdAt: r.created_at.getTime(),
  completedAt: r.completed_at.getTime(),
  dueAt: r.due_at?.getTime() ?? null,
});

/** Good and rejected pieces counted for orders, per week (SQL buckets by the week bounds). */
async function piecesPerWeek(pool: Pool, f: OrderFilter, weeks: readonly PlantWeek[]) {
  const bounds = [...weeks.map((w) => new Date(w.from)), new Date(weeks.at(-1)!.to)];
  // First pass (docs/decisions.md "Issue 23 — nonconformance and rework"): pieces an NC
  // brings back to good (rework, concession) are left out; an inspection NC's move from good
  // to rejected is in, so a piece that failed inspection is not good at first pass.
  const { rows } = await pool.query<{
    bucket: number;
    good: string;
    rejected: string;
    first_pass_good: string;
  }>(
    `SELECT width_bucket(e.time, $3::timestamptz[]) AS bucket,
            coalesce(sum(e.good), 0) AS good, coalesce(sum(e.rejected), 0) AS rejected,
            coalesce(sum(e.good) FILTER (
              WHERE coalesce(e.detail->>'source', '') NOT IN ('rework', 'concession')), 0) AS first_pass_good
       FROM work_order_events e JOIN work_orders w ON w.id = e.work_order_id
      WHERE e.kind = 'count' AND e.time >= $4 AND e.time < $5 AND ${FILTERED}
      GROUP BY 1`,
    [...filterArgs(f), bounds, bounds[0], bounds.at(-1)],
  );
  const out = weeks.map(() => ({ good: 0, rejected: 0, firstPassGood: 0 }));
  for (const r of rows)
    if (r.bucket >= 1 && r.bucket <= weeks.length)
      out[r.bucket - 1] = {
        good: Number(r.good),
        rejected: Number(r.rejected),
        firstPassGood: Number(r.first_pass_good),
      };
  return out;
}

/**
 * Operator-hours per week: an operator badged on a start scan works that operation until its
 * pause or complete (domain/order-kpis.ts `operatorHours`). Scans of the orders that had a
 * scan in the weeks or are still open, since an operator may have started before them.
 */
async function operatorHoursPerWeek(pool: Pool, f: OrderFilter, weeks: readonly PlantWeek[]) {
  const from = weeks[0]!.from;
  const to = weeks.at(-1)!.to;
  const { rows } = await pool.query<{
    work_order_id: string;
    time: Date;
    operation_id: string;
    action: 'start' | 'pause' | 'complete';
    operator: string | null;
  }>(
    `SELECT e.work_order_id, e.time, e.operation_id, e.detail->>'action' AS action, e.detail->>'operator' AS operator
       FROM work_order_events e JOIN work_orders w ON w.id = e.work_order_id
      WHERE e.kind = 'scan' AND e.detail->>'action' IN ('start', 'pause', 'complete') AND e.time < $4
        AND ${FILTERED}
        AND e.work_order_id IN (
          SELECT work_order_id FROM work_order_events WHERE kind = 'scan' AND time >= $3 AND time < $4
          UNION SELECT work_order_id FROM work_order_operations WHERE status <> 'done')
      ORDER BY e.time, e.id`,
    [...filterArgs(f), new Date(from), new Date(to)],
  );
  // Operation ids repeat across orders (OP10): key each by its order.
  const scans = rows.map((r) => ({
    ts: r.time.getTime(),
    operation: `${r.work_order_id}/${r.operation_id}`,
    action: r.action,
    operator: r.operator,
  }));
  return weeks.map((w) =>
    [...operatorHours(scans, w.from, w.to).values()].reduce((s, h) => s + h, 0),
  );
}

/** OEE of all the plant's machines per week: times and counts summed, then divided. */
async function oeePerWeek(pool: Pool, weeks: readonly PlantWeek[]) {
  const { rows: machines } = await pool.query<MachineRow>(`${MACHINE_ROWS} ORDER BY m.id`);
  const requests = weeks.flatMap((w) =>
    machines.map((machine) => ({ machine, from: w.from, to: w.to })),
  );
  const windows = await machineWindows(pool, requests);
  return weeks.map((w, i) => {
    const parts = machines.map((m, j) => {
      const k = i * machines.length + j;
      return partOf(m, windows[k]!, w.from, w.to);
    });
    return parts.length > 0 ? combineParts(parts).oee : null;
  });
}

/** The last `count` plant weeks' KPIs, with this week's trend against the earlier ones. */
export async function weeklyKpis(
  pool: Pool,
  count: number,
  f: OrderFilter,
  now: number,
): Promise<KpiWeekly> {
  const timeZone = await plantTimeZone(pool);
  const weeks = plantWeeks(now, timeZone, count);
  const [done, pieces, hours, oee] = await Promise.all([
    completedOrders(pool, f, weeks[0]!.from, weeks.at(-1)!.to),
    piecesPerWeek(pool, f, weeks),
    operatorHoursPerWeek(pool, f, weeks),
    oeePerWeek(pool, weeks),
  ]);
  const doneBy = weeks.map((): CompletedOrder[] => []);
  for (const r of done) {
    const order = asCompleted(r);
    doneBy[weekIndex(weeks, order.completedAt)]?.push(order);
  }
  const rows: KpiWeek[] = weeks.map((w, i) => {
    const d = deliveryKpis(doneBy[i]!);
    const { good, rejected, firstPassGood } = pieces[i]!;
    const h = hours[i]!;
    return {
      start: w.start,
      from: new Date(w.from).toISOString(),
      to: new Date(w.to).toISOString(),
      completed: d.completed,
      withDueDate: d.withDueDate,
      onTime: d.onTime,
      onTimeRate: d.onTimeRate,
      leadTimeMeanMs: d.leadTime?.meanMs ?? null,
      leadTimeCv: d.leadTime?.cv ?? null,
      good,
      rejected,
      scrapRate: good + rejected > 0 ? rejected / (good + rejected) : null,
      firstPassGood,
      firstPassYield: firstPassYield(firstPassGood, good + rejected),
      operatorHours: h,
      outputPerOperatorHour: h > 0 ? good / h : null,
      oee: oee[i] ?? null,
    };
  });
  const higherIsBetter: Record<(typeof KPI_NAMES)[number], boolean> = {
    onTimeRate: true,
    leadTimeMeanMs: false,
    leadTimeCv: false,
    scrapRate: false,
    firstPassYield: true,
    outputPerOperatorHour: true,
    oee: true,
  };
  const trends = Object.fromEntries(
    KPI_NAMES.map((k) => [
      k,
      trendOf(
        rows.map((r) => r[k]),
        higherIsBetter[k],
      ),
    ]),
  ) as KpiWeekly['trends'];
  return { timeZone, weeks: rows, trends };
}

/** Delivery and scrap of completed orders per customer or product. */
function deliveryBy(rows: readonly DoneRow[], key: (r: DoneRow) => string | null) {
  const groups = new Map<string, DoneRow[]>();
  for (const r of rows) groups.set(key(r) ?? '', [...(groups.get(key(r) ?? '') ?? []), r]);
  return [...groups]
    .map(([group, list]) => {
      const d = deliveryKpis(list.map(asCompleted));
      const good = list.reduce((s, r) => s + Number(r.good), 0);
      const rejected = list.reduce((s, r) => s + Number(r.rejected), 0);
      return {
        group,
        completed: d.completed,
        onTimeRate: d.onTimeRate,
        leadTimeMeanMs: d.leadTime?.meanMs ?? null,
        leadTimeCv: d.leadTime?.cv ?? null,
        good,
        rejected,
        scrapRate: good + rejected > 0 ? rejected / (good + rejected) : null,
      };
    })
    .sort((a, b) => b.completed - a.completed || (a.group < b.group ? -1 : 1));
}

/**
 * QualityReport over [from, to) of the pieces counted for orders: reject reasons (a station's
 * reject report names one; a machine's reject counter does not, reason null), scrap rate per
 * plant day by product and by machine, and delivery by customer and product.
 */
export async function quality(
  pool: Pool,
  from: number,
  to: number,
  f: OrderFilter,
): Promise<QualityReport> {
  const timeZone = await plantTimeZone(pool);
  const args = [...filterArgs(f), new Date(from), new Date(to)];
  const [reasons, daily, done] = await Promise.all([
    pool.query<{ reason: string | null; pieces: string }>(
      `SELECT CASE WHEN e.detail IS NULL THEN NULL ELSE coalesce(e.detail->>'reason', '') END AS reason,
              sum(e.rejected) AS pieces
         FROM work_order_events e JOIN work_orders w ON w.id = e.work_order_id
        WHERE e.kind = 'count' AND e.rejected > 0 AND e.time >= $3 AND e.time < $4 AND ${FILTERED}
        GROUP BY 1`,
      args,
    ),
    pool.query<{ product: string; machine: string; day: string; good: string; rejected: string }>(
      `SELECT coalesce(w.product_id, '') AS product, coalesce(e.machine_id, '') AS machine,
              to_char(e.time AT TIME ZONE $5, 'YYYY-MM-DD') AS day,
              sum(e.good) AS good, sum(e.rejected) AS rejected
         FROM work_order_events e JOIN work_orders w ON w.id = e.work_order_id
        WHERE e.kind = 'count' AND e.time >= $3 AND e.time < $4 AND ${FILTERED}
        GROUP BY 1, 2, 3`,
      [...args, timeZone],
    ),
    completedOrders(pool, f, from, to),
  ]);
  const days = plantDayList(from, to, timeZone);
  const pieces = daily.rows.map((r) => ({
    product: r.product,
    machine: r.machine,
    date: r.day,
    good: Number(r.good),
    rejected: Number(r.rejected),
  }));
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    days,
    pareto: rejectPareto(reasons.rows.map((r) => ({ reason: r.reason, pieces: Number(r.pieces) }))),
    byProduct: scrapSeries(
      pieces.map((p) => ({ ...p, group: p.product })),
      days,
    ),
    byMachine: scrapSeries(
      pieces.map((p) => ({ ...p, group: p.machine })),
      days,
    ),
    delivery: {
      byCustomer: deliveryBy(done, (r) => r.customer),
      byProduct: deliveryBy(done, (r) => r.product_id),
    },
  };
}

/** An order's pieces per operation with its reject reasons; undefined for an unknown order. */
export async function orderScrap(pool: Pool, id: string) {
  const ops = await pool.query<{ id: string; machine_id: string }>(
    'SELECT id, machine_id FROM work_order_operations WHERE work_order_id = $1 ORDER BY position',
    [id],
  );
  if (ops.rows.length === 0) {
    const known = await pool.query('SELECT 1 FROM work_orders WHERE id = $1', [id]);
    if (known.rows.length === 0) return undefined;
  }
  const { rows } = await pool.query<{
    operation: string;
    reason: string | null;
    good: string;
    rejected: string;
  }>(
    `SELECT operation_id AS operation,
            CASE WHEN detail IS NULL THEN NULL ELSE coalesce(detail->>'reason', '') END AS reason,
            sum(good) AS good, sum(rejected) AS rejected
       FROM work_order_events WHERE work_order_id = $1 AND kind = 'count'
      GROUP BY 1, 2`,
    [id],
  );
  const operations = ops.rows.map((op) => {
    const mine = rows.filter((r) => r.operation === op.id);
    return {
      id: op.id,
      machine: op.machine_id,
      good: mine.reduce((s, r) => s + Number(r.good), 0),
      rejected: mine.reduce((s, r) => s + Number(r.rejected), 0),
      reasons: rejectPareto(
        mine.map((r) => ({ reason: r.reason, pieces: Number(r.rejected) })),
      ).map((b) => ({ reason: b.reason, pieces: b.pieces })),
    };
  });
  return {
    id,
    good: operations.reduce((s, o) => s + o.good, 0),
    rejected: operations.reduce((s, o) => s + o.rejected, 0),
    operations,
  };
}
