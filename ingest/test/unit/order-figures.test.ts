import { describe, expect, it } from 'vitest';
import { orderFigures, type OperationActivity } from '../../src/domain/order-figures';
import type { Operation, WorkOrder } from '../../src/domain/work-orders';

const MIN = 60_000;
const H = 3_600_000;
const NOW = 100 * H;

const op = (id: string, machine: string, o: Partial<Operation> = {}): Operation => ({
  id,
  machine,
  status: 'pending',
  good: 0,
  rejected: 0,
  startedAt: null,
  completedAt: null,
  ...o,
});
const activity = (a: Partial<OperationActivity> = {}): OperationActivity => ({
  recentGood: 0,
  lastGoodAt: null,
  lastStartAt: null,
  idealCycleMs: null,
  ...a,
});
const figures = (order: WorkOrder, acts: Record<string, Partial<OperationActivity>>, now = NOW) =>
  orderFigures({
    order,
    createdAt: NOW - 2 * H,
    activity: new Map(Object.entries(acts).map(([k, v]) => [k, activity(v)])),
    now,
    rateWindowMs: H,
    stallAfterMs: 2 * H,
  });

/** Issue 15, item 1: OP10 has made 1,200 of 2,000, the last five minutes ago; OP20 nothing. */
const twoOps: WorkOrder = {
  id: 'WO-1',
  quantity: 2000,
  dueAt: NOW + 8 * H,
  operations: [
    op('OP10', 'press-01', { status: 'running', good: 1200, startedAt: NOW - 2 * H }),
    op('OP20', 'assembly-01'),
  ],
};
const twoOpsActivity = {
  // 600 good in the last hour: 600/h; OP20's product runs at an ideal 2 s on assembly-01.
  OP10: { recentGood: 600, lastGoodAt: NOW - 5 * MIN, lastStartAt: NOW - 2 * H },
  OP20: { idealCycleMs: 2000 },
};

describe('orderFigures (docs/work-orders.md)', () => {
  it('gives an ETA over the whole routing: OP10 at its recent rate, then OP20 at its ideal cycle', () => {
    const f = figures(twoOps, twoOpsActivity);
    // OP10: 800 left at 600/h = 80 min. OP20: 2,000 at 2 s = 66 min 40 s, after OP10.
    expect(f.operations.map((o) => [o.id, o.progress, o.remaining, o.rateSource, o.eta])).toEqual([
      ['OP10', 0.6, 800, 'recent', NOW + 80 * MIN],
      ['OP20', 0, 2000, 'ideal', NOW + 80 * MIN + 4_000_000],
    ]);
    expect(f).toMatchObject({
      status: 'in_progress',
      good: 0,
      progress: 0,
      eta: NOW + 80 * MIN + 4_000_000,
      lateRisk: false,
      stalled: false,
    });
    expect(f.health.score).toBe(100);
  });

  it('flags late risk when the routing cannot finish by the due date', () => {
    const late = { ...twoOps, dueAt: NOW + 2 * H };
    expect(figures(late, twoOpsActivity)).toMatchObject({ lateRisk: true });
  });

  it('has no ETA while an open operation has neither a rate nor an ideal cycle', () => {
    const f = figures(twoOps, { OP10: twoOpsActivity.OP10 });
    expect(f.operations.map((o) => o.eta)).toEqual([NOW + 80 * MIN, null]);
    expect(f.eta).toBeNull();
  });

  it('measures a rate since the start when the operation started inside the window', () => {
    const started = {
      ...twoOps,
      operations: [
        op('OP10', 'press-01', { status: 'running', good: 100, startedAt: NOW - 10 * MIN }),
        op('OP20', 'assembly-01'),
      ],
    };
    const [op10] = figures(started, { OP10: { recentGood: 100 } }).operations;
    expect(op10!.ratePerHour).toBe(600); // 100 in 10 min, not 100 in the hour
    const justStarted = {
      ...started,
      operations: [{ ...started.operations[0]!, startedAt: NOW - MIN }, started.operations[1]!],
    };
    // At least a twelfth of the window (5 min): 100 in 5 min.
    expect(figures(justStarted, { OP10: { recentGood: 100 } }).operations[0]!.ratePerHour).toBe(
      1200,
    );
  });

  it('is stalled only when no running operation has had a good piece for the window', () => {
    const atOp20: WorkOrder = {
      ...twoOps,
      operations: [
        op('OP10', 'press-01', { status: 'done', good: 2000, startedAt: 0, completedAt: NOW - H }),
        op('OP20', 'assembly-01', { status: 'running', good: 10, startedAt: NOW - 5 * H }),
      ],
    };
    // OP10 made pieces an hour ago, but it is done: OP20's last piece 3 h ago is what counts.
    expect(
      figures(atOp20, {
        OP10: { lastGoodAt: NOW - H },
        OP20: { lastGoodAt: NOW - 3 * H, lastStartAt: NOW - 5 * H },
      }).stalled,
    ).toBe(true);
    // Resumed 30 min ago: judged from the restart.
    expect(
      figures(atOp20, { OP20: { lastGoodAt: NOW - 3 * H, lastStartAt: NOW - 30 * MIN } }).stalled,
    ).toBe(false);
    // Exactly the window since the last piece: stalled (as the alert rule's forH).
    expect(figures(atOp20, { OP20: { lastGoodAt: NOW - 2 * H } }).stalled).toBe(true);
  });

  it('gives a released order no ETA, and late risk once its due date has passed', () => {
    const released: WorkOrder = { ...twoOps, operations: [op('OP10', 'p'), op('OP20', 'a')] };
    const acts = { OP10: { idealCycleMs: 1000 }, OP20: { idealCycleMs: 1000 } };
    expect(figures(released, acts)).toMatchObject({ eta: null, lateRisk: false, stalled: false });
    expect(figures(released, acts, NOW + 9 * H)).toMatchObject({ eta: null, lateRisk: true });
  });

  it('gives a completed order its completion time and no risk', () => {
    const done: WorkOrder = {
      ...twoOps,
      operations: [
        op('OP10', 'p', { status: 'done', good: 2000, startedAt: 0, completedAt: NOW - 2 * H }),
        op('OP20', 'a', { status: 'done', good: 1990, rejected: 10, completedAt: NOW - H }),
      ],
    };
    expect(figures(done, {}, NOW + 20 * H)).toMatchObject({
      status: 'completed',
      good: 1990,
      rejected: 10,
      eta: NOW - H,
      lateRisk: false,
      stalled: false,
    });
  });

  it("takes the ETA, each operation's finish and the band from the plan when it has the order", () => {
    const planned = {
      finish: NOW + 30 * H,
      p10: NOW + 26 * H,
      p90: NOW + 35 * H,
      operations: new Map([
        ['OP10', { plannedFinish: NOW + 10 * H }],
        ['OP20', { plannedFinish: NOW + 30 * H }],
      ]),
    };
    const f = orderFigures({
      order: twoOps,
      planned,
      createdAt: NOW - 2 * H,
      activity: new Map(Object.entries(twoOpsActivity).map(([k, v]) => [k, activity(v)])),
      now: NOW,
      rateWindowMs: H,
      stallAfterMs: 2 * H,
    });
    // The plan queues OP10 and OP20 behind other orders: far later than the rate sum says.
    expect(f.operations.map((o) => o.eta)).toEqual([NOW + 10 * H, NOW + 30 * H]);
    expect(f).toMatchObject({ eta: NOW + 30 * H, p10: NOW + 26 * H, p90: NOW + 35 * H });
    expect(f.etaSource).toBe('plan');
    // Due in 8 h, planned in 30 h: at risk, as the plan says.
    expect(f.lateRisk).toBe(true);
    // Without a plan entry the rate sum stands, and no band.
    const unplanned = figures(twoOps, twoOpsActivity);
    expect(unplanned).toMatchObject({ etaSource: 'rates', p10: null, p90: null });
    expect(unplanned.eta).toBe(NOW + 80 * MIN + 4_000_000);
  });
});
