import { describe, expect, it } from 'vitest';
import { lineLoad, planOrders, promise } from '../../../src/domain/planning';
import { ALL_DAYS, H, MONDAY, input, op, order } from './fixtures';

describe('line load', () => {
  // Day shift 08:00–16:00 UTC, every day: 8 working hours a day.
  const calendar = {
    timeZone: 'UTC',
    shifts: [{ id: 'd', name: 'Day', start: '08:00', end: '16:00', days: ALL_DAYS, breaks: [] }],
    holidays: [],
    closures: [{ from: '2026-12-09', to: '2026-12-09' }],
  };
  const machines = [
    { id: 'm1', line: 'a' },
    { id: 'm2', line: 'a' },
  ];

  it('books planned hours against working hours per day, and flags a full day with late work', () => {
    const plan = planOrders(
      input({
        calendar,
        orders: [
          // 12 h on m1, due Monday evening: Monday full and late, 4 h on Tuesday.
          order('late', [op('10', 'm1')], { quantity: 120, dueAt: MONDAY + 18 * H }),
          // 3 h on m2 with room to spare.
          order('easy', [op('10', 'm2')], { quantity: 30, dueAt: MONDAY + 72 * H }),
        ],
      }),
    );
    const load = lineLoad(plan, calendar, machines, MONDAY + 10 * H, 3);
    expect(load.from).toBe('2026-12-07');
    expect(load.days).toEqual(['2026-12-07', '2026-12-08', '2026-12-09']);
    const m1 = load.machines[0]!.days;
    expect(m1.map((d) => [d.bookedH, d.availableH, d.overloaded])).toEqual([
      [8, 8, true],
      [4, 8, false],
      [0, 0, false], // the closure
    ]);
    expect(load.machines[1]!.days[0]).toEqual({
      date: '2026-12-07',
      bookedH: 3,
      availableH: 8,
      overloaded: false,
    });
    expect(load.lines).toEqual([
      {
        id: 'a',
        days: [
          { date: '2026-12-07', bookedH: 11, availableH: 16, overloaded: true },
          { date: '2026-12-08', bookedH: 4, availableH: 16, overloaded: false },
          { date: '2026-12-09', bookedH: 0, availableH: 0, overloaded: false },
        ],
      },
    ]);
  });
});

describe('promise calculator', () => {
  const given = input({
    machines: ['m1', 'm2'],
    orders: [
      order('A', [op('10', 'm1'), op('20', 'm2')], { priority: 1 }), // 2 × 1 h
      order('B', [op('10', 'm1')], { quantity: 20 }), // 2 h
      order('C', [op('10', 'm2')], { quantity: 30 }), // 3 h
    ],
  });

  it('says when a new order would finish and which orders it pushes by how much', () => {
    const before = structuredClone({ ...given, changeoverMs: undefined });
    const base = planOrders(given);
    const outcome = promise(given, {
      product: 'p1',
      quantity: 15,
      routing: [{ id: '10', machine: 'm1' }],
      priority: 0,
      wantedBy: MONDAY + 2 * H,
    });
    if (!outcome.ok) throw new Error('expected an answer');
    const a = outcome.answer;
    // After A (higher priority), before B (no due date) on m1: 1 h → 2.5 h.
    expect(a.insertedAfter).toBe('A');
    expect(a.operations).toEqual([
      { operation: '10', machine: 'm1', plannedStart: MONDAY + H, plannedFinish: MONDAY + 2.5 * H },
    ]);
    expect(a.promisedAt).toBe(MONDAY + 2.5 * H);
    expect(a.p10).toBeLessThanOrEqual(a.promisedAt);
    expect(a.p90).toBeGreaterThanOrEqual(a.promisedAt);
    expect(a.meetsWantedBy).toBe(false);
    // B waits 1.5 h longer; A and C do not move.
    expect(a.delays).toEqual([{ order: 'B', byMs: 1.5 * H }]);
    // Nothing changed: the input, and the plan made from it.
    expect({ ...given, changeoverMs: undefined }).toEqual(before);
    expect(planOrders(given)).toEqual(base);
  });

  it('goes first at the highest priority; a machine it reaches later may be taken by then', () => {
    const outcome = promise(given, {
      product: 'p1',
      quantity: 10,
      routing: [
        { id: '10', machine: 'm1' },
        { id: '20', machine: 'm2' },
      ],
      priority: 9,
    });
    if (!outcome.ok) throw new Error('expected an answer');
    expect(outcome.answer.insertedAfter).toBeNull();
    expect(outcome.answer.meetsWantedBy).toBeNull();
    // m1 first (0–1 h); m2 took C at 0 h, which runs on (3 h): the new order follows it.
    expect(outcome.answer.promisedAt).toBe(MONDAY + 4 * H);
    expect(outcome.answer.delays).toEqual([
      { order: 'A', byMs: H },
      { order: 'B', byMs: H },
    ]);
  });

  it('says why it cannot plan a routing on a machine the plant does not have', () => {
    const outcome = promise(given, {
      product: 'p1',
      quantity: 10,
      routing: [{ id: '10', machine: 'm9' }],
      priority: 0,
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.unplannable.reason.key).toBe('planning.unplannable.unknown-machine');
    expect(outcome.unplannable.reason.params.machine).toBe('m9');
  });
});
