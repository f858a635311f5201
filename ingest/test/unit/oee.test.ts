import { describe, expect, it } from 'vitest';
import {
  accountTime,
  combineOeeInputs,
  computeOee,
  stateIntervals,
  stopToExplain,
  withStopReasons,
} from '../../src';
import { intersect, measure, normalize, subtract } from '../../src/domain/intervals';

const MIN = 60_000;
const H = 60 * MIN;

describe('ISO 22400-2 OEE, golden cases', () => {
  it('the textbook case: 420 min planned, 47 min down, 1.0 s ideal cycle, 19,271 made, 423 rejects', () => {
    const oee = computeOee({
      calendarMs: 480 * MIN,
      plannedBusyMs: 420 * MIN,
      runMs: (420 - 47) * MIN,
      products: [{ idealCycleMs: 1000, total: 19_271, good: 19_271 - 423 }],
    });
    expect(oee.availability).toBeCloseTo(0.8881, 4);
    expect(oee.performance).toBeCloseTo(0.8611, 4);
    expect(oee.quality).toBeCloseTo(0.978, 4);
    expect(oee.oee).toBeCloseTo(0.7479, 4);
    expect(oee.oee!).toBeCloseTo(oee.availability! * oee.performance! * oee.quality!, 12);
    expect(oee.teep).toBeCloseTo(0.7479 * (420 / 480), 4);
    expect([oee.totalCount, oee.goodCount, oee.performanceAbove100]).toEqual([
      19_271,
      18_848,
      false,
    ]);
  });

  it('two products in one shift: quality weighted by ideal cycle, A × P × Q still exact', () => {
    const oee = computeOee({
      calendarMs: 8 * H,
      plannedBusyMs: 8 * H,
      runMs: 7 * H,
      products: [
        { idealCycleMs: 2000, total: 6000, good: 5900 }, // 100 rejects of a slow part
        { idealCycleMs: 500, total: 20_000, good: 19_000 }, // 1000 rejects of a fast one
      ],
    });
    const idealTotal = 2000 * 6000 + 500 * 20_000;
    const idealGood = 2000 * 5900 + 500 * 19_000;
    expect(oee.performance).toBeCloseTo(idealTotal / (7 * H), 12);
    expect(oee.quality).toBeCloseTo(idealGood / idealTotal, 12);
    expect(oee.yield).toBeCloseTo(24_900 / 26_000, 12); // the plain yield differs
    expect(oee.oee).toBeCloseTo(idealGood / (8 * H), 12);
    expect(oee.oee!).toBeCloseTo(oee.availability! * oee.performance! * oee.quality!, 12);
  });

  it('aggregates by summing times and counts, never by averaging percentages', () => {
    const busy = {
      calendarMs: 8 * H,
      plannedBusyMs: 8 * H,
      runMs: 8 * H,
      products: [{ idealCycleMs: 1000, total: 28_800, good: 28_800 }],
    };
    const idle = { calendarMs: 8 * H, plannedBusyMs: 1 * H, runMs: 0, products: [] };
    const line = computeOee(combineOeeInputs([busy, idle]));
    expect(line.oee).toBeCloseTo(8 / 9, 12); // the average of 100 % and 0 % would say 50 %
    expect(line.availability).toBeCloseTo(8 / 9, 12);
  });

  it('flags performance over 100 % (a wrong ideal cycle time) instead of clipping it', () => {
    const oee = computeOee({
      calendarMs: H,
      plannedBusyMs: H,
      runMs: H,
      products: [{ idealCycleMs: 1000, total: 4000, good: 4000 }],
    });
    expect(oee.performance).toBeCloseTo(4000 / 3600, 12);
    expect(oee.performanceAbove100).toBe(true);
  });

  it('gives no ratio (null) where there is nothing to divide by', () => {
    const oee = computeOee({ calendarMs: H, plannedBusyMs: 0, runMs: 0, products: [] });
    expect([oee.availability, oee.performance, oee.quality, oee.oee]).toEqual([
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('machine time accounting', () => {
  const t0 = Date.UTC(2026, 10, 23, 22, 0); // 22:00, a night shift crossing midnight
  it('turns state events into intervals; before any data the state is unknown', () => {
    const intervals = stateIntervals(
      [
        { ts: t0 + 10 * MIN, state: 'running' },
        { ts: t0 + 30 * MIN, state: 'running' },
        { ts: t0 + 60 * MIN, state: 'down', reason: 'technical' },
      ],
      t0,
      t0 + 90 * MIN,
    );
    expect(
      intervals.map((i) => [(i.from - t0) / MIN, (i.to - t0) / MIN, i.state, i.reason]),
    ).toEqual([
      [0, 10, 'unknown', null],
      [10, 60, 'running', null],
      [60, 90, 'down', 'technical'],
    ]);
  });

  it('counts long stops and unknown as down, short stops as run time lost to performance', () => {
    // Night shift 22:00-06:00 with a planned break 02:00-02:30.
    const shift = subtract(
      [{ from: t0, to: t0 + 8 * H }],
      [{ from: t0 + 4 * H, to: t0 + 4 * H + 30 * MIN }],
    );
    const events = [
      { ts: t0, state: 'running' as const },
      { ts: t0 + 1 * H, state: 'idle' as const }, // 90 s: a microstop by threshold
      { ts: t0 + 1 * H + 90_000, state: 'running' as const },
      { ts: t0 + 3 * H, state: 'down' as const }, // 20 min breakdown
      { ts: t0 + 3 * H + 20 * MIN, state: 'running' as const },
      { ts: t0 + 5 * H, state: 'unknown' as const }, // gateway dead 30 s: down anyway
      { ts: t0 + 5 * H + 30_000, state: 'running' as const },
    ];
    const time = accountTime(stateIntervals(events, t0, t0 + 8 * H), shift, 2 * MIN);
    expect(time.plannedBusyMs).toBe(7.5 * H);
    expect(time.downMs).toBe(20 * MIN + 30_000);
    expect(time.microstopMs).toBe(90_000);
    expect(time.runMs).toBe(7.5 * H - 20 * MIN - 30_000);
  });

  it('does not count a stop during a planned break', () => {
    const plan = subtract([{ from: 0, to: 8 * H }], [{ from: 2 * H, to: 3 * H }]);
    const time = accountTime(
      stateIntervals(
        [
          { ts: 0, state: 'running' },
          { ts: 2 * H, state: 'idle' },
          { ts: 3 * H, state: 'running' },
        ],
        0,
        8 * H,
      ),
      plan,
      2 * MIN,
    );
    expect(time).toEqual({
      plannedBusyMs: 7 * H,
      downMs: 0,
      runMs: 7 * H,
      microstopMs: 0,
      setupMs: 0,
    });
  });

  it('a work order spanning two shifts adds both shifts up', () => {
    const shiftA = {
      calendarMs: 8 * H,
      plannedBusyMs: 7 * H,
      runMs: 6 * H,
      products: [{ idealCycleMs: 3000, total: 6000, good: 5950 }],
    };
    const shiftB = {
      calendarMs: 8 * H,
      plannedBusyMs: 7 * H,
      runMs: 7 * H,
      products: [{ idealCycleMs: 3000, total: 8000, good: 8000 }],
    };
    const order = computeOee(combineOeeInputs([shiftA, shiftB]));
    expect(order.availability).toBeCloseTo(13 / 14, 12);
    expect(order.oee).toBeCloseTo((3000 * 13_950) / (14 * H), 12);
    expect([order.totalCount, order.goodCount]).toEqual([14_000, 13_950]);
  });
});

describe('intervals', () => {
  it('normalizes, measures, intersects and subtracts half-open intervals', () => {
    expect(
      normalize([
        { from: 5, to: 8 },
        { from: 0, to: 3 },
        { from: 2, to: 6 },
        { from: 9, to: 9 },
      ]),
    ).toEqual([{ from: 0, to: 8 }]);
    expect(
      measure([
        { from: 0, to: 10 },
        { from: 5, to: 15 },
      ]),
    ).toBe(15);
    expect(
      intersect(
        [{ from: 0, to: 10 }],
        [
          { from: 5, to: 20 },
          { from: -5, to: 1 },
        ],
      ),
    ).toEqual([
      { from: 0, to: 1 },
      { from: 5, to: 10 },
    ]);
    expect(
      subtract(
        [{ from: 0, to: 10 }],
        [
          { from: 2, to: 3 },
          { from: 8, to: 12 },
        ],
      ),
    ).toEqual([
      { from: 0, to: 2 },
      { from: 3, to: 8 },
    ]);
  });
});

describe('state intervals and silence', () => {
  it('turns a state that is not re-sent within the stale time into unknown (no data)', () => {
    const intervals = stateIntervals(
      [
        { ts: 0, state: 'running' },
        { ts: 60_000, state: 'running' }, // heartbeat
        { ts: 10 * MIN, state: 'running' }, // after 9 min of silence (gateway was off)
      ],
      -MIN,
      12 * MIN,
      3 * MIN,
    );
    expect(intervals.map((i) => [i.from / MIN, i.to / MIN, i.state])).toEqual([
      [-1, 0, 'unknown'],
      [0, 4, 'running'],
      [4, 10, 'unknown'],
      [10, 12, 'running'],
    ]);
  });
});

describe('reasons given to stops afterwards', () => {
  const states = stateIntervals(
    [
      { ts: 0, state: 'running' },
      { ts: 10 * MIN, state: 'down' },
      { ts: 20 * MIN, state: 'running' },
      { ts: 30 * MIN, state: 'idle', reason: 'material' },
      { ts: 40 * MIN, state: 'running' },
      { ts: 50 * MIN, state: 'down' },
    ],
    0,
    60 * MIN,
  );

  it('finds the stop to explain: the latest, or the one at a time; refuses explained ones', () => {
    expect(stopToExplain(states)).toEqual({
      stop: { from: 50 * MIN, to: 60 * MIN, state: 'down', reason: null },
    });
    expect(stopToExplain(states, 15 * MIN)).toMatchObject({ stop: { from: 10 * MIN } });
    expect(stopToExplain(states, 35 * MIN)).toEqual({
      refused: 'that stop already has the reason "material"',
    });
    expect(stopToExplain(states, 5 * MIN)).toEqual({ refused: 'the machine was not stopped then' });
  });

  it('fills unexplained stops only', () => {
    const filled = withStopReasons(states, [
      { stopStart: 10 * MIN, reason: 'R12' },
      { stopStart: 30 * MIN, reason: 'R99' },
    ]);
    expect(filled.filter((i) => i.state !== 'running').map((i) => i.reason)).toEqual([
      'R12',
      'material',
      null,
    ]);
  });
});
