import { describe, expect, it } from 'vitest';
import {
  accountTime,
  busyIntervals,
  computeOee,
  measure,
  modeIntervals,
  modeTime,
  shiftOccurrences,
  sixBigLosses,
  startupIntervals,
  stateIntervals,
  type StateEvent,
} from '../../src';

const MIN = 60_000;
const day = Date.parse('2026-11-20T00:00:00Z');
const at = (hhmm: string, plusDays = 0) =>
  day + plusDays * 24 * 60 * MIN + (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))) * MIN;
const dayShift = {
  id: 'day',
  name: 'Day',
  start: '06:00',
  end: '14:00',
  days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const,
  breaks: [{ start: '10:00', end: '10:30' }],
};

describe('machine mode, apart from state', () => {
  const shifts = shiftOccurrences(
    [{ ...dayShift, days: [...dayShift.days] }],
    at('00:00'),
    at('24:00'),
    'UTC',
  );
  const modes = modeIntervals(
    [
      { ts: at('07:00'), mode: 'changeover' },
      { ts: at('07:30'), mode: 'production' },
      { ts: at('12:00'), mode: 'planned_maintenance' },
      { ts: at('12:30'), mode: 'production' },
    ],
    shifts,
    at('00:00'),
    at('24:00'),
    'production',
  );

  it('comes from the calendar outside shifts and from mode events inside', () => {
    expect(modes.map((m) => [new Date(m.from).toISOString().slice(11, 16), m.mode])).toEqual([
      ['00:00', 'no_shift'],
      ['06:00', 'production'],
      ['07:00', 'changeover'],
      ['07:30', 'production'],
      ['10:00', 'break'],
      ['10:30', 'production'],
      ['12:00', 'planned_maintenance'],
      ['12:30', 'production'],
      ['14:00', 'no_shift'],
    ]);
  });

  it('planned busy time leaves out breaks and the planned-stop modes the plant declares', () => {
    expect(measure(busyIntervals(modes, ['planned_maintenance', 'cleaning']))).toBe(420 * MIN);
    // A plant that plans its changeovers takes them out of planned busy time as well.
    expect(measure(busyIntervals(modes, ['planned_maintenance', 'changeover']))).toBe(390 * MIN);
    expect(startupIntervals(modes, 15 * MIN)).toEqual([{ from: at('07:00'), to: at('07:45') }]);
  });

  it('a machine driven by work orders has no order until one starts; no shifts: all shift time', () => {
    const orderDriven = modeIntervals(
      [
        { ts: at('08:00'), mode: 'production' },
        { ts: at('09:00'), mode: 'no_order' },
      ],
      null,
      at('06:00'),
      at('10:00'),
      'no_order',
    );
    expect(orderDriven.map((m) => [m.from, m.to, m.mode])).toEqual([
      [at('06:00'), at('08:00'), 'no_order'],
      [at('08:00'), at('09:00'), 'production'],
      [at('09:00'), at('10:00'), 'no_order'],
    ]);
  });

  it('a night shift crossing midnight belongs to the day it began; holidays have no shifts', () => {
    const night = {
      ...dayShift,
      id: 'night',
      name: 'Night',
      start: '22:00',
      end: '06:00',
      breaks: [],
      days: [...dayShift.days],
    };
    const list = shiftOccurrences([night], at('20:00', -1), at('00:00', 2), 'Asia/Shanghai', [
      '2026-11-21',
    ]);
    // 22:00 Shanghai = 14:00 UTC. Last night's shift runs into the window; the 21st is a holiday.
    expect(list.map((o) => [o.date, new Date(o.from).toISOString()])).toEqual([
      ['2026-11-19', '2026-11-19T14:00:00.000Z'],
      ['2026-11-20', '2026-11-20T14:00:00.000Z'],
    ]);
    expect(measure(list[0]!.planned)).toBe(2 * 60 * MIN); // clipped to the window (from 20:00 UTC)
  });
});

describe('the six big losses', () => {
  // A hand-worked shift: 06:00-14:00, 30 min break, 30 min planned maintenance -> 420 min busy.
  // Stopped 07:00-07:25 in a changeover (setup), down 08:00-08:20 (breakdown), a 1 min stop
  // at 09:00 (small stop), down through the maintenance (planned: not a loss).
  const shifts = shiftOccurrences(
    [{ ...dayShift, days: [...dayShift.days] }],
    at('06:00'),
    at('14:00'),
    'UTC',
  );
  const modes = modeIntervals(
    [
      { ts: at('07:00'), mode: 'changeover' },
      { ts: at('07:30'), mode: 'production' },
      { ts: at('12:00'), mode: 'planned_maintenance' },
      { ts: at('12:30'), mode: 'production' },
    ],
    shifts,
    at('06:00'),
    at('14:00'),
    'production',
  );
  const events: StateEvent[] = [
    { ts: at('06:00'), state: 'running' },
    { ts: at('07:00'), state: 'idle' },
    { ts: at('07:25'), state: 'running' },
    { ts: at('08:00'), state: 'down', reason: 'jam' },
    { ts: at('08:20'), state: 'running' },
    { ts: at('09:00'), state: 'idle' },
    { ts: at('09:01'), state: 'running' },
    { ts: at('12:00'), state: 'down', reason: 'pm' },
    { ts: at('12:30'), state: 'running' },
  ];
  const states = stateIntervals(events, at('06:00'), at('14:00'));
  const busy = busyIntervals(modes, ['planned_maintenance']);
  const time = accountTime(states, busy, 2 * MIN, {
    changeovers: modeTime(modes, 'changeover'),
    reasons: new Set(),
  });
  const products = [{ idealCycleMs: 1000, total: 20_000, good: 19_700, startupRejects: 100 }];

  it('splits stops into breakdowns and setups, short stops into small stops', () => {
    expect(time).toEqual({
      plannedBusyMs: 420 * MIN,
      downMs: 45 * MIN,
      setupMs: 25 * MIN,
      runMs: 375 * MIN,
      microstopMs: 1 * MIN,
    });
  });

  it('adds up, with the fully productive time, to the planned busy time exactly', () => {
    const losses = sixBigLosses({ ...time, products })!;
    expect(losses.breakdownsMs).toBe(20 * MIN);
    expect(losses.setupsMs).toBe(25 * MIN);
    expect(losses.smallStopsMs).toBe(1 * MIN);
    expect(losses.reducedSpeedMs).toBe(374 * MIN - 20_000_000);
    expect(losses.startupRejectsMs).toBe(100_000);
    expect(losses.productionRejectsMs).toBe(200_000);
    expect(losses.fullyProductiveMs).toBe(19_700_000);
    const sum = Object.values(losses).reduce((s, v) => s + v, 0);
    expect(sum).toBe(420 * MIN);
    // ...and the fully productive share is the OEE.
    const oee = computeOee({
      calendarMs: 480 * MIN,
      plannedBusyMs: time.plannedBusyMs,
      runMs: time.runMs,
      products,
    });
    expect(losses.fullyProductiveMs / time.plannedBusyMs).toBeCloseTo(oee.oee!, 12);
  });

  it('counts a stop with a setup reason as setup wherever it happens', () => {
    const withReason = accountTime(states, busy, 2 * MIN, {
      changeovers: [],
      reasons: new Set(['jam']),
    });
    expect(withReason.setupMs).toBe(20 * MIN);
    expect(
      sixBigLosses({ ...withReason, products: [{ idealCycleMs: null, total: 1, good: 1 }] }),
    ).toBeNull();
  });
});
