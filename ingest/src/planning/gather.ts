/**
 * What the plan needs, read from the database in a few set-based queries (docs/decisions.md
 * "Issue 21 — the plan in ingest, the single ETA"): the open orders and their operations,
 * the machines, run samples per machine × product over the capacity window, what each
 * machine is set up for, and the plant model's calendar and planning settings. Then the pure
 * scheduler (ingest/src/domain/planning/) decides.
 */
import { DEFAULT_PLANNING, plantModelSchema, type PlantModel } from '@takt/protocol';
import type { Pool } from 'pg';
import {
  calendarOf,
  changeoverOf,
  estimateCapacity,
  type CapacityProduct,
  type PlanInput,
  type PlanOrder,
  type RunSample,
  type WorkingCalendar,
} from '../domain/planning';
import { WorkingTime } from '../domain/planning';
import { loadOrders } from '../work-orders/store';

const DAY_MS = 24 * 3_600_000;

export interface PlanMachine {
  id: string;
  name: string;
  line: string | null;
}

/** The plan's input with what the routes show beside it. */
export interface GatheredInput {
  input: PlanInput;
  machines: PlanMachine[];
  plant: PlantModel | null;
  /** Product ids the plant knows, with their default routing (plant model) if any. */
  products: Map<string, { routing: { id: string; machine: string }[] | null }>;
  /** Each open order's product and quantity (the plan view shows them). */
  orders: Map<string, { product: string | null; quantity: number; priority: number }>;
}

/** The plant model stored at start (plant_models), parsed again so new keys get defaults. */
export async function currentPlant(pool: Pool): Promise<PlantModel | null> {
  const { rows } = await pool.query<{ definition: unknown }>(
    'SELECT definition FROM plant_models ORDER BY loaded_at DESC, site_id LIMIT 1',
  );
  if (!rows[0]) return null;
  const parsed = plantModelSchema.safeParse(rows[0].definition);
  return parsed.success ? parsed.data : null;
}

/** Open orders: not completed, not cancelled, not on hold (a held order books no machine). */
async function openPlanOrders(pool: Pool) {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT w.id FROM work_orders w
      WHERE w.cancelled_at IS NULL AND w.held_at IS NULL
        AND EXISTS (SELECT 1 FROM work_order_operations o WHERE o.work_order_id = w.id AND o.status <> 'done')`,
  );
  return loadOrders(
    pool,
    rows.map((r) => r.id),
  );
}

/**
 * One sample per operation run in the window: the order's product on the operation's machine,
 * its good pieces, the machine's running time between its start and its completion (or now),
 * all machines in one query (machine_states intervals from consecutive rows, 001_init.sql).
 */
async function runSamples(
  pool: Pool,
  now: number,
  windowDays: number,
  calendar: WorkingCalendar,
): Promise<RunSample[]> {
  const since = new Date(now - windowDays * DAY_MS);
  const { rows } = await pool.query<{
    machine_id: string;
    product_id: string;
    f: Date;
    t: Date;
    good: string;
    run_ms: string;
  }>(
    `WITH runs AS (
       SELECT o.machine_id, w.product_id, o.started_at AS f,
              least(coalesce(o.completed_at, $2), $2) AS t, o.good
         FROM work_order_operations o JOIN work_orders w ON w.id = o.work_order_id
        WHERE o.started_at >= $1 AND o.started_at < $2 AND w.product_id IS NOT NULL AND o.good > 0
     ), st AS (
       SELECT s.machine_id, s.state, s.time AS f,
              lead(s.time, 1, $2) OVER (PARTITION BY s.machine_id ORDER BY s.time) AS t
         FROM machine_states s
        WHERE s.machine_id IN (SELECT DISTINCT machine_id FROM runs) AND s.time >= $1 - interval '1 day' AND s.time < $2
     )
     SELECT r.machine_id, r.product_id, r.f, r.t, r.good,
            coalesce(sum(extract(epoch FROM least(s.t, r.t) - greatest(s.f, r.f)) * 1000), 0) AS run_ms
       FROM runs r
       LEFT JOIN st s ON s.machine_id = r.machine_id AND s.state = 'running' AND s.f < r.t AND s.t > r.f
      GROUP BY r.machine_id, r.product_id, r.f, r.t, r.good`,
    [since, new Date(now)],
  );
  // One calendar for every run of the window: its working windows are built once (cached per
  // 14-day chunk), not re-cut in the plant's time zone for each run.
  const working = new WorkingTime(calendar, since.getTime(), now);
  return rows.flatMap((r) => {
    const from = r.f.getTime();
    const to = r.t.getTime();
    // Working time of the run: the calendar's shifts between its start and its end.
    const workingMs = working.within(from, to).reduce((s, i) => s + i.to - i.from, 0);
    if (workingMs <= 0) return [];
    return [
      {
        machine: r.machine_id,
        product: r.product_id,
        from,
        runMs: Math.min(Number(r.run_ms), workingMs),
        workingMs,
        good: Number(r.good),
      },
    ];
  });
}

/** What each machine made last: the product of its most recently started operation. */
async function currentProducts(pool: Pool): Promise<Map<string, string | null>> {
  const { rows } = await pool.query<{ machine_id: string; product_id: string | null }>(
    `SELECT DISTINCT ON (o.machine_id) o.machine_id, w.product_id
       FROM work_order_operations o JOIN work_orders w ON w.id = o.work_order_id
      WHERE o.started_at IS NOT NULL
      ORDER BY o.machine_id, o.started_at DESC`,
  );
  return new Map(rows.map((r) => [r.machine_id, r.product_id]));
}

async function knownProducts(pool: Pool): Promise<CapacityProduct[]> {
  const { rows } = await pool.query<{
    id: string;
    ideal_cycle_ms: number;
    cycles: Record<string, number> | null;
  }>(
    `SELECT p.id, p.ideal_cycle_ms,
            (SELECT jsonb_object_agg(c.machine_id, c.ideal_cycle_ms) FROM product_machine_cycles c
              WHERE c.product_id = p.id) AS cycles
       FROM products p ORDER BY p.id`,
  );
  return rows.map((r) => ({
    id: r.id,
    idealCycleMs: Number(r.ideal_cycle_ms),
    machines: r.cycles ?? {},
  }));
}

/** Everything the plan of `now` needs (see the file's comment). */
export async function gatherPlanInput(pool: Pool, now: number): Promise<GatheredInput> {
  const plant = await currentPlant(pool);
  const planning = plant?.planning ?? DEFAULT_PLANNING;
  const calendar: WorkingCalendar = plant
    ? calendarOf(plant)
    : { timeZone: await siteTimeZone(pool), shifts: [], holidays: [], closures: [] };
  const machineRows = await pool.query<{ id: string; name: string; line_id: string | null }>(
    'SELECT id, name, line_id FROM machines ORDER BY id',
  );
  const machines = machineRows.rows.map((r) => ({ id: r.id, name: r.name, line: r.line_id }));
  // A hand station of the plant model is a work centre too: routings name it like a machine.
  const known = new Set(machines.map((m) => m.id));
  for (const s of plant?.stations?.list ?? [])
    if (!known.has(s.id)) machines.push({ id: s.id, name: s.name, line: s.line ?? null });
  const products = await knownProducts(pool);
  const records = await openPlanOrders(pool);
  const samples = await runSamples(pool, now, planning.capacityWindowDays, calendar);
  const capacity = estimateCapacity({
    now,
    samples,
    machines: machines.map((m) => m.id),
    products,
    settings: planning,
  });
  const orders: PlanOrder[] = records.map((r) => ({
    id: r.order.id,
    // An order without a product has no capacity anywhere: the plan lists it as unplannable.
    product: r.product ?? '',
    quantity: r.order.quantity,
    priority: r.priority,
    dueAt: r.order.dueAt,
    releasedAt: Date.parse(r.createdAt),
    operations: r.order.operations.map((o) => ({
      id: o.id,
      machine: o.machine,
      status: o.status,
      good: o.good,
      startedAt: o.startedAt,
    })),
  }));
  const routings = new Map(plant?.products.map((p) => [p.id, p.routing ?? null]) ?? []);
  return {
    input: {
      now,
      orders,
      machines: machines.map((m) => m.id),
      capacity,
      calendar,
      changeoverMs: changeoverOf(planning),
      currentProduct: await currentProducts(pool),
    },
    machines,
    plant,
    products: new Map(products.map((p) => [p.id, { routing: routings.get(p.id) ?? null }])),
    orders: new Map(
      records.map((r) => [
        r.order.id,
        { product: r.product, quantity: r.order.quantity, priority: r.priority },
      ]),
    ),
  };
}

async function siteTimeZone(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ time_zone: string }>(
    'SELECT time_zone FROM sites ORDER BY id LIMIT 1',
  );
  return rows[0]?.time_zone ?? 'UTC';
}
