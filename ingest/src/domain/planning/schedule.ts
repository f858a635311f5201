/**
 * The finite-capacity forward plan (docs/decisions.md "Issue 21 — the finite-capacity
 * scheduler"): every open order's remaining operations, dispatched the way the floor picks
 * work — whenever a machine is free in working time it takes, of the operations waiting for
 * it, the first in planning sequence (priority, due date, release, id). Running operations
 * stay on their machine from `now`. Pure: the clock is `input.now`.
 */
import { WorkingTime } from './calendar';
import { Heap } from './heap';
import type {
  MachineCapacity,
  Plan,
  PlanInput,
  PlanOperationInput,
  PlanOrder,
  PlannedOperation,
  PlannedOrder,
  PlanningReason,
  Unplannable,
} from './types';

const HOUR_MS = 3_600_000;
export const DEFAULT_HORIZON_MS = 365 * 24 * HOUR_MS;

/** Planning sequence: priority (higher first), due date (earlier first, none last), release, id. */
export function compareOrders(a: PlanOrder, b: PlanOrder): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.dueAt !== b.dueAt) {
    if (a.dueAt === null) return 1;
    if (b.dueAt === null) return -1;
    return a.dueAt - b.dueAt;
  }
  if (a.releasedAt !== b.releasedAt) return a.releasedAt - b.releasedAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

interface Job {
  order: PlanOrder;
  rank: number;
  steps: Step[];
  failed: boolean;
}

/** One remaining operation of a job. */
interface Step {
  job: Job;
  index: number;
  op: PlanOperationInput;
  remaining: number;
  /** Working time of the pieces at the planned, fast (p90 rate) and slow (p10 rate) ends. */
  workMs: readonly [number, number, number];
  running: boolean;
  planned?: PlannedOperation;
}

interface MachineState {
  freeAt: number;
  last: string | null;
  queue: Heap<Step>;
  wakeAt: number;
}

type PlanEvent = { t: number; seq: number } & (
  { kind: 'ready'; step: Step } | { kind: 'free'; machine: string }
);

const stepFirst = (a: Step, b: Step) =>
  a.job.rank !== b.job.rank ? a.job.rank < b.job.rank : a.index < b.index;

function reason(key: string, params: PlanningReason['params']): PlanningReason {
  return { key: `planning.unplannable.${key}`, params };
}

class Scheduler {
  readonly time: WorkingTime;
  readonly horizon: number;
  readonly machines = new Map<string, MachineState>();
  readonly events = new Heap<PlanEvent>((a, b) => (a.t !== b.t ? a.t < b.t : a.seq < b.seq));
  readonly emitted: Step[] = [];
  readonly unplannable: Unplannable[] = [];
  private seq = 0;

  constructor(readonly input: PlanInput) {
    this.horizon = input.now + (input.horizonMs ?? DEFAULT_HORIZON_MS);
    this.time = new WorkingTime(input.calendar, input.now, this.horizon);
    for (const m of input.machines)
      this.machines.set(m, {
        freeAt: input.now,
        last: input.currentProduct.get(m) ?? null,
        queue: new Heap(stepFirst),
        wakeAt: -Infinity,
      });
  }

  push(
    event: { kind: 'ready'; step: Step; t: number } | { kind: 'free'; machine: string; t: number },
  ) {
    this.events.push({ ...event, seq: this.seq++ });
  }

  fail(job: Job, operation: string | null, why: PlanningReason): void {
    job.failed = true;
    this.unplannable.push({ order: job.order.id, operation, reason: why });
  }

  /** Books `step` on its machine from `start`; false when it would end past the horizon. */
  book(step: Step, start: number): boolean {
    const m = this.machines.get(step.op.machine)!;
    const product = step.job.order.product;
    const changeoverMs =
      step.running || m.last === product
        ? 0
        : this.input.changeoverMs(step.op.machine, m.last, product);
    const finish = this.time.advance(start, changeoverMs + step.workMs[0]);
    if (finish > this.horizon) {
      this.fail(step.job, step.op.id, this.beyond(step));
      return false;
    }
    step.planned = {
      order: step.job.order.id,
      operation: step.op.id,
      machine: step.op.machine,
      product,
      remaining: step.remaining,
      plannedStart: start,
      plannedFinish: finish,
      changeoverMs,
      running: step.running,
      p10Finish: finish,
      p90Finish: finish,
    };
    this.emitted.push(step);
    m.freeAt = finish;
    m.last = product;
    this.push({ kind: 'free', machine: step.op.machine, t: finish });
    const next = step.job.steps[step.index + 1];
    if (next && !next.running) this.push({ kind: 'ready', step: next, t: finish });
    return true;
  }

  beyond(step: Step): PlanningReason {
    return reason('beyond-horizon', {
      order: step.job.order.id,
      operation: step.op.id,
      machine: step.op.machine,
      durationS: { durationS: (this.horizon - this.input.now) / 1000 },
    });
  }

  /** Machine `name` is free at t: start the first waiting operation, or wake at the next shift. */
  dispatch(name: string, t: number): void {
    const m = this.machines.get(name)!;
    while (m.freeAt <= t && m.queue.size > 0) {
      const start = this.time.start(t);
      if (start > t) {
        if (start === Infinity) {
          for (let s = m.queue.pop(); s; s = m.queue.pop())
            this.fail(s.job, s.op.id, this.beyond(s));
        } else if (m.wakeAt !== start) {
          m.wakeAt = start;
          this.push({ kind: 'free', machine: name, t: start });
        }
        return;
      }
      this.book(m.queue.pop()!, t);
    }
  }

  run(): void {
    while (this.events.size > 0) {
      const t = this.events.peek()!.t;
      const touched = new Set<string>();
      while (this.events.size > 0 && this.events.peek()!.t === t) {
        const e = this.events.pop()!;
        if (e.kind === 'free') touched.add(e.machine);
        else {
          this.machines.get(e.step.op.machine)!.queue.push(e.step);
          touched.add(e.step.op.machine);
        }
      }
      for (const name of [...touched].sort()) this.dispatch(name, t);
    }
  }
}

function capacityLookup(list: readonly MachineCapacity[]) {
  const key = (machine: string, product: string | null) => `${machine}\u0000${product ?? ''}`;
  const index = new Map(list.map((c) => [key(c.machine, c.product), c]));
  return (machine: string, product: string) =>
    index.get(key(machine, product)) ?? index.get(key(machine, null));
}

/** Each order's remaining operations as steps; an order that cannot be planned says why. */
function buildJobs(input: PlanInput, s: Scheduler): Job[] {
  const find = capacityLookup(input.capacity);
  const jobs: Job[] = [];
  [...input.orders].sort(compareOrders).forEach((order, rank) => {
    const job: Job = { order, rank, steps: [], failed: false };
    jobs.push(job);
    if (order.operations.length === 0) {
      s.fail(job, null, reason('no-operations', { order: order.id }));
      return;
    }
    for (const op of order.operations) {
      if (op.status === 'done') continue;
      const what = {
        order: order.id,
        operation: op.id,
        machine: op.machine,
        product: order.product,
      };
      if (!s.machines.has(op.machine)) return s.fail(job, op.id, reason('unknown-machine', what));
      const cap = find(op.machine, order.product);
      if (!cap || !(cap.ratePerHour > 0) || !(cap.availability > 0))
        return s.fail(job, op.id, reason('no-capacity', what));
      const remaining = Math.max(0, order.quantity - op.good);
      const work = (rate: number) =>
        rate > 0 ? (remaining / (rate * Math.min(1, cap.availability))) * HOUR_MS : Infinity;
      job.steps.push({
        job,
        index: job.steps.length,
        op,
        remaining,
        workMs: [
          work(cap.ratePerHour),
          work(Math.max(cap.rateP90, cap.ratePerHour)),
          work(Math.min(cap.rateP10, cap.ratePerHour)),
        ],
        running: op.status === 'running',
      });
    }
  });
  return jobs;
}

/** p10/p90 finishes: the same sequence on each machine, at the fast and slow rates. */
function bands(s: Scheduler): void {
  const now = s.input.now;
  for (const [end, slot] of [
    [1, 'p10Finish'],
    [2, 'p90Finish'],
  ] as const) {
    const free = new Map<string, number>();
    const finished = new Map<Step, number>();
    for (const step of s.emitted) {
      const p = step.planned!;
      const previous = step.job.steps[step.index - 1];
      const ready = step.running
        ? now
        : previous
          ? (finished.get(previous) ?? now)
          : Math.max(now, step.job.order.releasedAt);
      const at = Math.max(ready, free.get(p.machine) ?? now);
      const start = step.running ? at : s.time.start(at);
      const finish = Math.min(s.horizon, s.time.advance(start, p.changeoverMs + step.workMs[end]));
      finished.set(step, finish);
      free.set(p.machine, finish);
      p[slot] = finish;
    }
  }
}

/** The finite-capacity plan of `input.orders` (docs/decisions.md "Issue 21 — the finite-capacity scheduler"). */
export function planOrders(input: PlanInput): Plan {
  const s = new Scheduler(input);
  const jobs = buildJobs(input, s);
  const runningFirst = jobs
    .flatMap((j) => (j.failed ? [] : j.steps.filter((step) => step.running)))
    .sort(
      (a, b) =>
        (a.op.startedAt ?? input.now) - (b.op.startedAt ?? input.now) || a.job.rank - b.job.rank,
    );
  for (const step of runningFirst) {
    if (step.job.failed) continue;
    s.book(step, Math.max(input.now, s.machines.get(step.op.machine)!.freeAt));
  }
  for (const job of jobs) {
    const first = job.steps[0];
    if (!job.failed && first && !first.running)
      s.push({ kind: 'ready', step: first, t: Math.max(input.now, job.order.releasedAt) });
  }
  s.run();
  bands(s);
  const orders: PlannedOrder[] = [];
  for (const job of jobs) {
    if (job.failed) continue;
    const ops = job.steps.map((step) => step.planned!);
    const promisedAt = Math.max(input.now, ...ops.map((p) => p.plannedFinish));
    const dueAt = job.order.dueAt;
    orders.push({
      order: job.order.id,
      promisedAt,
      p10: Math.max(input.now, ...ops.map((p) => p.p10Finish)),
      p90: Math.max(input.now, ...ops.map((p) => p.p90Finish)),
      dueAt,
      lateRisk: dueAt !== null && promisedAt > dueAt,
    });
  }
  const operations = s.emitted
    .map((step) => step.planned!)
    .sort((a, b) => a.plannedStart - b.plannedStart || (a.machine < b.machine ? -1 : 1));
  return { computedAt: input.now, operations, orders, unplannable: s.unplannable };
}
