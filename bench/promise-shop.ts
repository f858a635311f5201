/**
 * The shop the promise bench replays (docs/decisions.md "Issue 21 — the finite-capacity
 * scheduler"): a generated 12-machine plant on 3 lines with a two-shift calendar and a
 * holiday, machines whose true speed, scrap, breakdowns and changeovers the planner never
 * sees, and a stream of orders (some of them rush orders at a higher priority). A small
 * discrete-event simulation runs it and records when every operation really ran. Deterministic
 * (seeded PRNG).
 */
import type { ShiftConfig } from '@takt/protocol';
import { workingIntervals } from '../ingest/src/domain/planning/calendar';
import type { CapacityProduct, PlanOrder, WorkingCalendar } from '../ingest/src/domain/planning';
import { Heap } from '../ingest/src/domain/planning/heap';

const H = 3_600_000;
const DAY = 24 * H;

/** mulberry32: a small seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ShopOrder extends Omit<PlanOrder, 'operations'> {
  routing: { id: string; machine: string }[];
}

/** How one operation really ran, on the working-time axis (ms of working time since the start). */
export interface OpRun {
  order: string;
  operation: string;
  machine: string;
  product: string;
  /** Machine taken (changeover begins). */
  startW: number;
  /** Pieces begin. */
  runStartW: number;
  finishW: number;
  /** Up time the pieces took (scrap and rework included). */
  runMs: number;
}

const WEEKDAYS: ShiftConfig['days'] = ['mon', 'tue', 'wed', 'thu', 'fri'];
/** Monday 2026-01-05 00:00 in Shanghai. */
export const SHOP_START = Date.UTC(2026, 0, 4, 16);
export const SHOP_CALENDAR: WorkingCalendar = {
  timeZone: 'Asia/Shanghai',
  shifts: [
    {
      id: 'early',
      name: 'Early',
      start: '06:00',
      end: '14:00',
      days: [...WEEKDAYS, 'sat'],
      breaks: [{ start: '10:00', end: '10:30' }],
    },
    {
      id: 'late',
      name: 'Late',
      start: '14:00',
      end: '22:00',
      days: WEEKDAYS,
      breaks: [{ start: '18:00', end: '18:30' }],
    },
  ],
  holidays: ['2026-02-04'],
  closures: [],
};

/** Working time as one axis: wall ↔ working position (ms of working time since `from`). */
export class WorkAxis {
  private readonly windows: { from: number; to: number }[];
  private readonly before: number[] = [];

  constructor(calendar: WorkingCalendar, from: number, to: number) {
    this.windows = workingIntervals(calendar, from, to);
    let total = 0;
    for (const w of this.windows) {
      this.before.push(total);
      total += w.to - w.from;
    }
  }

  /** Working time before wall instant t. */
  pos(t: number): number {
    let lo = 0;
    let hi = this.windows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.windows[mid]!.to <= t) lo = mid + 1;
      else hi = mid;
    }
    const w = this.windows[lo];
    if (!w) return this.before.at(-1)! + (this.windows.at(-1)!.to - this.windows.at(-1)!.from);
    return this.before[lo]! + Math.max(0, t - w.from);
  }

  /** The wall instant at which `w` of working time has passed (end of a window, not the next start). */
  wall(w: number): number {
    let lo = 0;
    let hi = this.windows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.before[mid]! < w) lo = mid;
      else hi = mid - 1;
    }
    return this.windows[lo]!.from + (w - this.before[lo]!);
  }
}

interface TrueMachine {
  id: string;
  line: string;
  perf: number;
  scrap: number;
  /** Down intervals on the working axis, sorted. */
  down: { from: number; to: number }[];
}

export interface Shop {
  machines: { id: string; line: string }[];
  products: (CapacityProduct & { routing: { id: string; machine: string }[] })[];
  orders: ShopOrder[];
  runs: OpRun[];
  axis: WorkAxis;
  /** Planned changeover minutes (what the plant model says). */
  changeoverMinutes: { defaultMinutes: number; products: Record<string, number> };
  /** First release that is scored (the weeks before are history only). */
  scoreFrom: number;
  scoreTo: number;
  upTime(machine: string, fromW: number, toW: number): number;
}

const LINES = ['a', 'b', 'c'];
const PRODUCTS = 10;
/** The busiest machine's expected utilisation: a busy job shop, not a saturated one. */
const BOTTLENECK_LOAD = 0.85;
const RUSH_SHARE = 0.1;

/** Generates the shop and runs it: `historyWeeks` of orders before `scoredWeeks` scored ones, then drains. */
export function runShop(seed: number, historyWeeks: number, scoredWeeks: number): Shop {
  const rnd = prng(seed);
  const u = (a: number, b: number) => a + (b - a) * rnd();
  const exp = (mean: number) => -mean * Math.log(1 - rnd());
  const end = SHOP_START + (historyWeeks + scoredWeeks + 8) * 7 * DAY;
  const axis = new WorkAxis(SHOP_CALENDAR, SHOP_START, end);
  const totalW = axis.pos(end);

  const machines: TrueMachine[] = LINES.flatMap((line) =>
    [1, 2, 3, 4].map((i) => {
      const mtbf = u(10, 40) * H;
      const mttr = u(0.3, 2.5) * H;
      const down: { from: number; to: number }[] = [];
      for (let w = exp(mtbf); w < totalW;) {
        const to = w + exp(mttr);
        down.push({ from: w, to });
        w = to + exp(mtbf);
      }
      return { id: `${line}${i}`, line, perf: u(0.7, 0.95), scrap: u(0.01, 0.06), down };
    }),
  );
  const byId = new Map(machines.map((m) => [m.id, m]));
  const pick = (line: string) => `${line}${1 + Math.floor(rnd() * 4)}`;
  const products: Shop['products'] = Array.from({ length: PRODUCTS }, (_, i) => {
    const base = u(25, 70) * 1000;
    const routing = [
      { id: '10', machine: pick('a') },
      { id: '20', machine: pick('b') },
    ];
    if (rnd() < 0.7) routing.push({ id: '30', machine: pick('c') });
    const cycles = Object.fromEntries(routing.map((r) => [r.machine, base * u(0.8, 1.2)]));
    return { id: `p${i + 1}`, idealCycleMs: base, machines: cycles, routing };
  });
  const changeoverMinutes = {
    defaultMinutes: 30,
    products: Object.fromEntries(products.filter((_, i) => i % 4 === 0).map((p) => [p.id, 60])),
  };
  const plannedChangeover = (p: string) =>
    (changeoverMinutes.products[p] ?? changeoverMinutes.defaultMinutes) * 60_000;

  // Arrival rate for the bottleneck load: expected true machine time per order, per machine.
  const meanQty = 300;
  const load = new Map<string, number>();
  for (const p of products)
    for (const r of p.routing) {
      const m = byId.get(r.machine)!;
      const avail = 1 - m.down.reduce((s, d) => s + (d.to - d.from), 0) / totalW;
      const work =
        (meanQty * p.machines![r.machine]!) / m.perf / (1 - m.scrap) + plannedChangeover(p.id);
      load.set(m.id, (load.get(m.id) ?? 0) + work / avail / PRODUCTS);
    }
  const gapW = Math.max(...load.values()) / BOTTLENECK_LOAD;

  const orders: ShopOrder[] = [];
  const releaseEnd = axis.pos(SHOP_START + (historyWeeks + scoredWeeks) * 7 * DAY);
  for (let w = exp(gapW); w < releaseEnd; w += exp(gapW)) {
    const product = products[Math.floor(rnd() * PRODUCTS)]!;
    const releasedAt = Math.round(axis.wall(w));
    const rush = rnd() < RUSH_SHARE;
    orders.push({
      id: `O${String(orders.length + 1).padStart(4, '0')}`,
      product: product.id,
      quantity: Math.round(u(100, 500)),
      priority: rush ? 5 : 0,
      releasedAt,
      dueAt: Math.round(releasedAt + (rush ? u(1, 2) : u(4, 12)) * DAY),
      routing: product.routing,
    });
  }

  const upTime = (machine: string, a: number, b: number) => {
    let up = b - a;
    for (const d of byId.get(machine)!.down) {
      if (d.from >= b) break;
      up -= Math.max(0, Math.min(b, d.to) - Math.max(a, d.from));
    }
    return up;
  };
  /** Where `need` of up time from w ends on the machine. */
  const walk = (m: TrueMachine, w: number, need: number) => {
    let t = w;
    let left = need;
    for (const d of m.down) {
      if (d.to <= t) continue;
      if (d.from >= t + left) break;
      left -= Math.max(0, d.from - t);
      t = Math.max(t, d.to);
    }
    return t + left;
  };
  const runs = simulate(
    orders,
    machines,
    axis,
    (order, m, startW, current) => {
      const product = products.find((p) => p.id === order.product)!;
      const changeover =
        current === order.product ? 0 : plannedChangeover(order.product) * u(0.7, 1.5);
      const cycle = (product.machines![m.id]! * u(0.92, 1.08)) / m.perf;
      let pieces = order.quantity / (1 - m.scrap * u(0.5, 1.5));
      if (rnd() < 0.08) pieces += order.quantity * u(0.1, 0.3); // rework
      const runMs = pieces * cycle;
      const runStartW = walk(m, startW, changeover);
      return { runStartW, finishW: walk(m, runStartW, runMs), runMs };
    },
    rnd,
  );
  const scoreFrom = SHOP_START + historyWeeks * 7 * DAY;
  return {
    machines: machines.map((m) => ({ id: m.id, line: m.line })),
    products,
    orders,
    runs,
    axis,
    changeoverMinutes,
    scoreFrom,
    scoreTo: scoreFrom + scoredWeeks * 7 * DAY,
    upTime,
  };
}

type RunTimes = (
  order: ShopOrder,
  machine: TrueMachine,
  startW: number,
  current: string | null,
) => { runStartW: number; finishW: number; runMs: number };

/**
 * The floor: a free machine takes the first waiting operation in the plan's sequence
 * (priority, due date, release) — except that one time in six the operator takes, of the
 * first three waiting, one for the product already set up, to save a changeover.
 */
function simulate(
  orders: readonly ShopOrder[],
  machines: readonly TrueMachine[],
  axis: WorkAxis,
  times: RunTimes,
  rnd: () => number,
): OpRun[] {
  type Ev = { w: number; seq: number; order: ShopOrder; step: number };
  const events = new Heap<Ev>((a, b) => (a.w !== b.w ? a.w < b.w : a.seq < b.seq));
  let seq = 0;
  for (const o of orders) events.push({ w: axis.pos(o.releasedAt), seq: seq++, order: o, step: 0 });
  const state = new Map(
    machines.map((m) => [m.id, { m, freeW: 0, product: null as string | null, queue: [] as Ev[] }]),
  );
  const runs: OpRun[] = [];
  const rank = (a: Ev, b: Ev) =>
    b.order.priority - a.order.priority ||
    a.order.dueAt! - b.order.dueAt! ||
    a.order.releasedAt - b.order.releasedAt ||
    (a.order.id < b.order.id ? -1 : 1);
  const dispatch = (s: NonNullable<ReturnType<typeof state.get>>, w: number) => {
    if (s.freeW > w || s.queue.length === 0) return;
    s.queue.sort(rank);
    let i = 0;
    if (rnd() < 1 / 6) {
      const same = s.queue.slice(0, 3).findIndex((e) => e.order.product === s.product);
      if (same > 0) i = same;
    }
    const [e] = s.queue.splice(i, 1);
    const r = e!.order.routing[e!.step]!;
    const t = times(e!.order, s.m, w, s.product);
    runs.push({
      order: e!.order.id,
      operation: r.id,
      machine: s.m.id,
      product: e!.order.product,
      startW: w,
      ...t,
    });
    s.freeW = t.finishW;
    s.product = e!.order.product;
    events.push({ w: t.finishW, seq: seq++, order: e!.order, step: -1 - e!.step }); // done marker
  };
  while (events.size > 0) {
    const e = events.pop()!;
    if (e.step < 0) {
      // An operation finished: its machine is free, the order's next operation waits.
      const done = -1 - e.step;
      const machine = e.order.routing[done]!.machine;
      const next = e.order.routing[done + 1];
      if (next) {
        const ev = { ...e, step: done + 1 };
        state.get(next.machine)!.queue.push(ev);
        dispatch(state.get(next.machine)!, e.w);
      }
      dispatch(state.get(machine)!, e.w);
    } else {
      const s = state.get(e.order.routing[0]!.machine)!;
      s.queue.push(e);
      dispatch(s, e.w);
    }
  }
  return runs;
}
