/**
 * `npm run bench -- promise`: how close the plan's promise dates come to when orders really
 * finish (docs/decisions.md "Issue 21 — the finite-capacity scheduler"). A generated shop
 * (bench/promise-shop.ts) runs two weeks of history and six scored weeks; at each scored
 * order's release the promise is computed from what was known then — capacity from the runs
 * finished before it (ingest/src/domain/planning/capacity.ts), the plan of every open order
 * with the calculator (promise.ts) — and compared with the order's real finish; beside it the
 * naive ERP date (standard cycle times at 100 %, no queue, no changeover, from release in the
 * working calendar). Then the plan time of 500 open orders on 50 machines.
 */
import {
  WorkingTime,
  estimateCapacity,
  planOrders,
  promise,
  type PlanInput,
  type PlanOperationInput,
  type PlanOrder,
  type RunSample,
} from '../ingest/src/domain/planning';
import { changeoverOf } from '../ingest/src/domain/planning/calendar';
import { DEFAULT_PLANNING, type PlanningConfig } from '@takt/protocol';
import { SHOP_CALENDAR, runShop, type OpRun, type Shop } from './promise-shop';
import { printTable } from './table';

const H = 3_600_000;
const SEED = 21;

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** What the shop looked like at wall time t: open orders with their operations' status, set-ups, finished runs. */
function stateAt(shop: Shop, runsOf: Map<string, OpRun>, t: number) {
  const w = shop.axis.pos(t);
  const orders: PlanOrder[] = [];
  for (const o of shop.orders) {
    if (o.releasedAt > t) break; // released in time order
    const last = runsOf.get(`${o.id}/${o.routing.at(-1)!.id}`)!;
    if (last.finishW <= w) continue;
    const operations = o.routing.map((r): PlanOperationInput => {
      const run = runsOf.get(`${o.id}/${r.id}`)!;
      if (run.finishW <= w)
        return { id: r.id, machine: r.machine, status: 'done', good: o.quantity, startedAt: null };
      if (run.startW > w)
        return { id: r.id, machine: r.machine, status: 'pending', good: 0, startedAt: null };
      const made = shop.upTime(r.machine, run.runStartW, Math.max(run.runStartW, w)) / run.runMs;
      return {
        id: r.id,
        machine: r.machine,
        status: 'running',
        good: Math.min(o.quantity, Math.floor(o.quantity * made)),
        startedAt: shop.axis.wall(run.startW),
      };
    });
    orders.push({ ...o, operations });
  }
  const currentProduct = new Map<string, string | null>();
  for (const run of shop.runs) if (run.startW <= w) currentProduct.set(run.machine, run.product);
  const samples: RunSample[] = shop.runs
    .filter((r) => r.finishW <= w)
    .map((r) => ({
      machine: r.machine,
      product: r.product,
      from: shop.axis.wall(r.runStartW),
      runMs: r.runMs,
      workingMs: r.finishW - r.runStartW,
      good: shop.orders.find((o) => o.id === r.order)!.quantity,
    }));
  return { orders, currentProduct, samples };
}

function scoreShop(shop: Shop) {
  const planning: PlanningConfig = {
    ...DEFAULT_PLANNING,
    changeovers: { ...shop.changeoverMinutes, machines: {} },
  };
  const changeoverMs = changeoverOf(planning);
  const runsOf = new Map(shop.runs.map((r) => [`${r.order}/${r.operation}`, r]));
  const machines = shop.machines.map((m) => m.id);
  const scored = shop.orders.filter(
    (o) => o.releasedAt >= shop.scoreFrom && o.releasedAt < shop.scoreTo,
  );
  const errors: number[] = [];
  const naiveErrors: number[] = [];
  const toldErrors: number[] = [];
  /** The same errors in working hours: nights, Sundays and the holiday left out. */
  const workingErrors: number[] = [];
  let inBand = 0;
  for (const [i, o] of scored.entries()) {
    const state = stateAt(shop, runsOf, o.releasedAt);
    const input: PlanInput = {
      now: o.releasedAt,
      orders: state.orders.filter((x) => x.id !== o.id),
      machines,
      capacity: estimateCapacity({
        now: o.releasedAt,
        samples: state.samples,
        machines,
        products: shop.products,
        settings: planning,
      }),
      calendar: SHOP_CALENDAR,
      changeoverMs,
      currentProduct: state.currentProduct,
    };
    const outcome = promise(input, {
      product: o.product,
      quantity: o.quantity,
      routing: o.routing,
      priority: o.priority,
      wantedBy: o.dueAt ?? undefined,
    });
    if (!outcome.ok)
      throw new Error(`order ${o.id} unplannable: ${outcome.unplannable.reason.key}`);
    const actual = shop.axis.wall(runsOf.get(`${o.id}/${o.routing.at(-1)!.id}`)!.finishW);
    const { promisedAt, p10, p90 } = outcome.answer;
    errors.push((promisedAt - actual) / H);
    workingErrors.push((shop.axis.pos(promisedAt) - shop.axis.pos(actual)) / H);
    if (actual >= p10 && actual <= p90) inBand++;
    const product = shop.products.find((p) => p.id === o.product)!;
    const standardMs = o.routing.reduce(
      (s, r) => s + o.quantity * product.machines![r.machine]!,
      0,
    );
    const naive = new WorkingTime(SHOP_CALENDAR, o.releasedAt, o.releasedAt + 365 * 24 * H).advance(
      o.releasedAt,
      standardMs,
    );
    naiveErrors.push((naive - actual) / H);
    // Diagnostic, not a method: the same plan told every order still to come (the limit of
    // what a plan of the known orders can reach when later orders overtake).
    const pending = (x: (typeof shop.orders)[number]): PlanOrder => ({
      ...x,
      operations: x.routing.map((r) => ({ ...r, status: 'pending', good: 0, startedAt: null })),
    });
    const future = shop.orders.filter((x) => x.releasedAt > o.releasedAt).map(pending);
    const told = planOrders({ ...input, orders: [...input.orders, pending(o), ...future] });
    toldErrors.push((told.orders.find((x) => x.order === o.id)!.promisedAt - actual) / H);
    if ((i + 1) % 50 === 0 || i + 1 === scored.length)
      console.log(`  promise: ${i + 1}/${scored.length} orders replayed`);
  }
  const within = (e: number[]) => e.filter((x) => Math.abs(x) <= 8).length / e.length;
  return {
    orders: scored.length,
    withinPm8hShare: within(errors),
    medianAbsErrorH: median(errors.map(Math.abs)),
    naiveWithinPm8hShare: within(naiveErrors),
    naiveMedianAbsErrorH: median(naiveErrors.map(Math.abs)),
    medianSignedErrorH: median(errors),
    naiveMedianSignedErrorH: median(naiveErrors),
    withinPm8WorkingHShare: within(workingErrors),
    futureKnownWithinPm8hShare: within(toldErrors),
    futureKnownMedianAbsErrorH: median(toldErrors.map(Math.abs)),
    withinP10P90Share: inBand / scored.length,
  };
}

/**
 * Plan time of 500 open orders (3 operations each) on 50 machines: median of 5 runs (the
 * calendar's windows cached after the first, as when ingest plans again), and the first.
 */
function planSpeed(): { median: number; first: number } {
  const machines = Array.from({ length: 50 }, (_, i) => `m${i}`);
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const orders: PlanOrder[] = Array.from({ length: 500 }, (_, i) => ({
    id: `W${i}`,
    product: `p${i % 20}`,
    quantity: 50 + Math.floor(rnd() * 400),
    priority: rnd() < 0.1 ? 5 : 0,
    dueAt: Date.UTC(2026, 11, 20) + Math.floor(rnd() * 30) * 24 * H,
    releasedAt: Date.UTC(2026, 11, 1) + i * 60_000,
    operations: [0, 1, 2].map((k) => ({
      id: String(10 * (k + 1)),
      machine: machines[Math.floor(rnd() * 50)]!,
      status: i < 40 && k === 0 ? ('running' as const) : ('pending' as const),
      good: 0,
      startedAt: null,
    })),
  }));
  const input: PlanInput = {
    now: Date.UTC(2026, 11, 7),
    orders,
    machines,
    capacity: machines.map((m) => ({
      machine: m,
      product: null,
      ratePerHour: 60 + rnd() * 60,
      availability: 0.85,
      rateP10: 50,
      rateP90: 130,
      source: 'measured' as const,
    })),
    calendar: SHOP_CALENDAR,
    changeoverMs: changeoverOf(DEFAULT_PLANNING),
    currentProduct: new Map(),
  };
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const plan = planOrders(input);
    times.push(performance.now() - t0);
    if (plan.orders.length !== 500) throw new Error(`planned ${plan.orders.length} of 500 orders`);
  }
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { median: round(median(times)), first: round(times[0]!) };
}

export async function benchPromise(): Promise<Record<string, unknown>> {
  console.log('  generating and running the shop (2 weeks of history, 6 scored weeks)…');
  const shop = runShop(SEED, 2, 6);
  console.log(`  ${shop.orders.length} orders, ${shop.runs.length} operation runs`);
  const score = scoreShop(shop);
  console.log('  planning 500 orders on 50 machines…');
  const speed = planSpeed();
  const planMs500x50 = speed.median;
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  printTable([
    ['method', 'within ±8 h', 'median |error|', 'median error'],
    [
      'plan (measured capacity)',
      pct(score.withinPm8hShare),
      `${score.medianAbsErrorH.toFixed(1)} h`,
      `${score.medianSignedErrorH.toFixed(1)} h`,
    ],
    [
      'naive ERP (standard times)',
      pct(score.naiveWithinPm8hShare),
      `${score.naiveMedianAbsErrorH.toFixed(1)} h`,
      `${score.naiveMedianSignedErrorH.toFixed(1)} h`,
    ],
  ]);
  console.log(
    `  diagnostic, errors in working hours: ${pct(score.withinPm8WorkingHShare)} within ±8 working hours`,
  );
  console.log(
    `  diagnostic, the plan told every order still to come: ${pct(score.futureKnownWithinPm8hShare)} within ±8 h, median |error| ${score.futureKnownMedianAbsErrorH.toFixed(1)} h`,
  );
  console.log(
    `  ${score.orders} orders scored; actual within p10–p90: ${pct(score.withinP10P90Share)}; plan 500×50: ${planMs500x50} ms (first, calendar not cached: ${speed.first} ms)`,
  );
  return { seed: SEED, ...score, planMs500x50, planMsFirst500x50: speed.first };
}
