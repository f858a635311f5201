import { describe, expect, it } from 'vitest';
import { downtimePareto, outputPerHour, sumHours } from '../../src/domain/losses';
import { stateIntervals } from '../../src/domain/machine-time';

const MIN = 60_000;
const H = 60 * MIN;

describe('downtime Pareto', () => {
  it('sums planned downtime by state and reason, longest first, without microstops', () => {
    const states = stateIntervals(
      [
        { ts: 0, state: 'running' },
        { ts: 1 * H, state: 'down', reason: 'tool-change' },
        { ts: 1 * H + 20 * MIN, state: 'running' },
        { ts: 2 * H, state: 'idle', reason: 'material' },
        { ts: 2 * H + 30 * MIN, state: 'running' },
        { ts: 3 * H, state: 'down', reason: 'tool-change' },
        { ts: 3 * H + 15 * MIN, state: 'running' },
        { ts: 4 * H, state: 'idle' }, // 1 min: a microstop, not downtime
        { ts: 4 * H + 1 * MIN, state: 'running' },
        { ts: 5 * H, state: 'down' }, // nobody said why
        { ts: 5 * H + 5 * MIN, state: 'running' },
      ],
      0,
      8 * H,
    );
    expect(downtimePareto(states, [{ from: 0, to: 8 * H }], 2 * MIN)).toEqual([
      { reason: 'tool-change', state: 'down', durationMs: 35 * MIN, stops: 2 },
      { reason: 'material', state: 'idle', durationMs: 30 * MIN, stops: 1 },
      { reason: 'unassigned', state: 'down', durationMs: 5 * MIN, stops: 1 },
    ]);
  });

  it('leaves out stops in planned breaks', () => {
    const states = stateIntervals(
      [
        { ts: 0, state: 'running' },
        { ts: H, state: 'idle', reason: 'break' },
        { ts: 2 * H, state: 'running' },
      ],
      0,
      3 * H,
    );
    expect(
      downtimePareto(
        states,
        [
          { from: 0, to: H },
          { from: 2 * H, to: 3 * H },
        ],
        2 * MIN,
      ),
    ).toEqual([]);
  });
});

describe('output per hour', () => {
  it('puts counted good pieces beside what the ideal cycle allows in the planned part of each hour', () => {
    const rows = outputPerHour(
      0,
      3 * H,
      [{ from: 0, to: 90 * MIN }],
      new Map([
        [0, 3000],
        [H, 1200],
      ]),
      1000,
    );
    expect(rows).toEqual([
      { hourStart: 0, actual: 3000, target: 3600 },
      { hourStart: H, actual: 1200, target: 1800 },
      { hourStart: 2 * H, actual: 0, target: 0 },
    ]);
  });

  it("counts planned time while an order ran at that order's product's ideal cycle, pro rata", () => {
    // Default product 1 s; an order of a 2 s product ran 00:30-01:20.
    const rows = outputPerHour(0, 2 * H, [{ from: 0, to: 2 * H }], new Map(), 1000, [
      { from: 30 * MIN, to: 80 * MIN, idealCycleMs: 2000 },
    ]);
    expect(rows.map((r) => r.target)).toEqual([
      1800 + 900, // 30 min at 1 s + 30 min at 2 s
      600 + 2400, // 20 min at 2 s + 40 min at 1 s
    ]);
  });

  it('has no target where planned time has no ideal cycle to go by', () => {
    const runs = [{ from: 0, to: H, idealCycleMs: 2000 }];
    const rows = outputPerHour(0, 2 * H, [{ from: 0, to: 2 * H }], new Map(), null, runs);
    expect(rows.map((r) => r.target)).toEqual([1800, null]);
  });

  it("adds a line's machines hour by hour; a target only from the machines that have one", () => {
    const a = [
      { hourStart: 0, actual: 5, target: 10 },
      { hourStart: H, actual: 7, target: null },
    ];
    const b = [
      { hourStart: 0, actual: 1, target: null },
      { hourStart: H, actual: 2, target: null },
    ];
    expect(sumHours([a, b])).toEqual([
      { hourStart: 0, actual: 6, target: 10 },
      { hourStart: H, actual: 9, target: null },
    ]);
    expect(sumHours([])).toEqual([]);
  });
});
