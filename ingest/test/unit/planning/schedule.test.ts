import { describe, expect, it } from 'vitest';
import { planOrders, type Plan, type PlannedOperation } from '../../../src/domain/planning';
import { ALL_DAYS, H, MIN, MONDAY, cap, input, iso, op, order } from './fixtures';

const find = (plan: Plan, o: string, operation: string): PlannedOperation =>
  plan.operations.find((p) => p.order === o && p.operation === operation)!;

describe('finite-capacity plan', () => {
  it('keeps routing precedence and one operation per machine at a time', () => {
    const plan = planOrders(
      input({
        orders: [
          order('A', [op('10', 'm1'), op('20', 'm2')]), // 1 h each at 10/h
          order('B', [op('10', 'm1'), op('20', 'm2')], { quantity: 20 }),
        ],
      }),
    );
    expect(iso(find(plan, 'A', '10').plannedStart)).toBe(iso(MONDAY));
    expect(find(plan, 'A', '20').plannedStart).toBe(find(plan, 'A', '10').plannedFinish);
    // B waits for m1, then for its own first operation.
    expect(find(plan, 'B', '10').plannedStart).toBe(MONDAY + H);
    expect(find(plan, 'B', '20').plannedStart).toBe(MONDAY + 3 * H);
    expect(plan.orders.map((o) => [o.order, o.promisedAt - MONDAY])).toEqual([
      ['A', 2 * H],
      ['B', 5 * H],
    ]);
    expect(plan.unplannable).toEqual([]);
  });

  it('pauses over gaps: a night shift across midnight, its break and a holiday', () => {
    // Night shift 22:00–06:00 with a break 02:00–02:30; Tuesday (its night) is a holiday.
    const calendar = {
      timeZone: 'Asia/Shanghai',
      shifts: [
        {
          id: 'n',
          name: 'Night',
          start: '22:00',
          end: '06:00',
          days: ALL_DAYS,
          breaks: [{ start: '02:00', end: '02:30' }],
        },
      ],
      holidays: ['2026-12-08'],
      closures: [],
    };
    // 12 h of work, planned at Monday 20:00 Shanghai (12:00 UTC).
    const now = MONDAY + 12 * H;
    const plan = planOrders(
      input({
        now,
        calendar,
        machines: ['m1'],
        orders: [order('A', [op('10', 'm1')], { quantity: 120 })],
      }),
    );
    const a = find(plan, 'A', '10');
    // Starts when the Monday night shift starts: 22:00 Shanghai = 14:00 UTC.
    expect(iso(a.plannedStart)).toBe('2026-12-07T14:00:00.000Z');
    // Monday night gives 7.5 h (break out); Tuesday night is a holiday; Wednesday night
    // 22:00 gives the other 4.5 h: 4 h to 02:00, the break, then 02:30–03:00 (Wed 19:00 UTC).
    expect(iso(a.plannedFinish)).toBe('2026-12-09T19:00:00.000Z');
  });

  it('leaves a running operation on its machine from now, with its remaining pieces', () => {
    const plan = planOrders(
      input({
        orders: [
          order('urgent', [op('10', 'm1')], { priority: 9 }),
          order('R', [
            op('10', 'm1', { status: 'running', good: 4, startedAt: MONDAY - 2 * H }),
            op('20', 'm2'),
          ]),
        ],
      }),
    );
    const r = find(plan, 'R', '10');
    expect(r.running).toBe(true);
    expect(r.remaining).toBe(6);
    expect(r.plannedStart).toBe(MONDAY);
    expect(r.plannedFinish).toBe(MONDAY + 0.6 * H);
    // The higher priority waits for the running operation to end; R's next step follows it.
    expect(find(plan, 'urgent', '10').plannedStart).toBe(r.plannedFinish);
    expect(find(plan, 'R', '20').plannedStart).toBe(r.plannedFinish);
  });

  it('counts a changeover when the product changes on a machine, not when it stays', () => {
    const changeoverMs = (_m: string, from: string | null, to: string) =>
      from === to ? 0 : 30 * MIN;
    const plan = planOrders(
      input({
        machines: ['m1'],
        changeoverMs,
        currentProduct: new Map([['m1', 'p1']]),
        orders: [
          order('A', [op('10', 'm1')], { dueAt: MONDAY + 10 * H }),
          order('B', [op('10', 'm1')], { product: 'p2', dueAt: MONDAY + 11 * H }),
          order('C', [op('10', 'm1')], { product: 'p2', dueAt: MONDAY + 12 * H }),
        ],
      }),
    );
    const [a, b, c] = ['A', 'B', 'C'].map((o) => find(plan, o, '10'));
    expect([a!.changeoverMs, b!.changeoverMs, c!.changeoverMs]).toEqual([0, 30 * MIN, 0]);
    expect(b!.plannedFinish - b!.plannedStart).toBe(H + 30 * MIN);
    expect(c!.plannedFinish).toBe(MONDAY + 3.5 * H);
  });

  it('lets a later order of higher priority overtake the queue, and an earlier due date', () => {
    const plan = planOrders(
      input({
        machines: ['m1'],
        orders: [
          order('running', [op('10', 'm1', { status: 'running', startedAt: MONDAY - H })]),
          order('old', [op('10', 'm1')], { releasedAt: MONDAY - 5 * H }),
          order('rush', [op('10', 'm1')], { releasedAt: MONDAY - 1, priority: 5 }),
          order('due', [op('10', 'm1')], { releasedAt: MONDAY - 2, dueAt: MONDAY + 48 * H }),
        ],
      }),
    );
    expect(plan.operations.map((p) => p.order)).toEqual(['running', 'rush', 'due', 'old']);
    expect(plan.operations.map((p) => p.plannedStart - MONDAY)).toEqual([0, H, 2 * H, 3 * H]);
    expect(plan.orders.map((o) => o.order)).toEqual(['rush', 'due', 'old', 'running']);
  });

  it('lists an order it cannot plan with the reason, never drops it', () => {
    const plan = planOrders(
      input({
        machines: ['m1', 'm2', 'm3'],
        capacity: [cap('m1'), cap('m2', 10, { product: 'other' })],
        orders: [
          order('ok', [op('10', 'm1')]),
          order('ghost', [op('10', 'm1'), op('20', 'nope')]),
          order('slow', [op('10', 'm2')]),
          order('empty', []),
        ],
      }),
    );
    expect(plan.orders.map((o) => o.order)).toEqual(['ok']);
    // In planning sequence (same priority, due and release: by id).
    expect(plan.unplannable.map((u) => [u.order, u.operation, u.reason.key])).toEqual([
      ['empty', null, 'planning.unplannable.no-operations'],
      ['ghost', '20', 'planning.unplannable.unknown-machine'],
      ['slow', '10', 'planning.unplannable.no-capacity'],
    ]);
    expect(plan.unplannable[1]!.reason.params).toEqual({
      order: 'ghost',
      operation: '20',
      machine: 'nope',
      product: 'p1',
    });
    // The ghost's first operation takes no machine time.
    expect(plan.operations.map((p) => p.order)).toEqual(['ok']);
  });

  it('reports an operation that cannot finish within the horizon', () => {
    const plan = planOrders(
      input({
        machines: ['m1'],
        horizonMs: 24 * H,
        orders: [order('big', [op('10', 'm1')], { quantity: 1000 })],
      }),
    );
    expect(plan.orders).toEqual([]);
    expect(plan.unplannable[0]!.reason.key).toBe('planning.unplannable.beyond-horizon');
  });

  it('gives each order a band p10 ≤ promise ≤ p90 and flags late risk against the due date', () => {
    const plan = planOrders(
      input({
        orders: [
          order('A', [op('10', 'm1'), op('20', 'm2')], { dueAt: MONDAY + H }),
          order('B', [op('10', 'm1')], { dueAt: MONDAY + 10 * H }),
        ],
      }),
    );
    const [a, b] = plan.orders;
    expect(a!.p10).toBeLessThan(a!.promisedAt);
    expect(a!.promisedAt).toBeLessThan(a!.p90);
    // 2 h at 10/h; at the fast end (15/h) 80 min, at the slow end (5/h) 4 h.
    expect([a!.p10 - MONDAY, a!.promisedAt - MONDAY, a!.p90 - MONDAY]).toEqual([
      (4 / 3) * H,
      2 * H,
      4 * H,
    ]);
    expect(a!.lateRisk).toBe(true);
    expect(b!.lateRisk).toBe(false);
  });

  it('does not change its input', () => {
    const given = input({
      orders: [order('A', [op('10', 'm1'), op('20', 'm2')]), order('B', [op('10', 'm2')])],
    });
    const copy = structuredClone({ ...given, changeoverMs: undefined });
    planOrders(given);
    expect({ ...given, changeoverMs: undefined }).toEqual(copy);
  });
});
