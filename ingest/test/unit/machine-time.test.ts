import type { MachineState } from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import {
  accountTime,
  busyIntervals,
  modeIntervals,
  modeTime,
  sixBigLosses,
  splitMonitored,
  stateIntervals,
  stateStaleAfterMs,
  subtract,
  type ModeEvent,
  type StateEvent,
} from '../../src';
import { downtimePareto } from '../../src/domain/losses';

const MIN = 60_000;
const H = 60 * MIN;
const t0 = Date.UTC(2026, 10, 23, 22, 0); // 22:00, a night shift crossing midnight
const at = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return t0 + (((h - 22 + 24) % 24) * 60 + m) * MIN;
};
/** Night shift 22:00–06:00 with a planned break 02:00–02:30 (docs/production-model.md). */
const shift = subtract(
  [{ from: at('22:00'), to: at('06:00') }],
  [{ from: at('02:00'), to: at('02:30') }],
);
const span = (ms: number) => ms / MIN;

describe('state staleness follows the heartbeat the gateway declared', () => {
  it('holds a state three heartbeats, never less than the 180 s default', () => {
    expect(stateStaleAfterMs(null)).toBe(180_000);
    expect(stateStaleAfterMs(undefined)).toBe(180_000);
    expect(stateStaleAfterMs(1_000)).toBe(180_000);
    expect(stateStaleAfterMs(600_000)).toBe(1_800_000);
    expect(stateStaleAfterMs(3_600_000)).toBe(3 * H);
  });

  it('a gateway with a 10 min heartbeat that sends on change keeps its machine running', () => {
    const events: StateEvent[] = [
      { ts: at('22:00'), state: 'running' },
      { ts: at('22:10'), state: 'running' }, // heartbeat
      { ts: at('22:20'), state: 'running' },
      { ts: at('22:25'), state: 'idle' }, // a change, sent at once
      { ts: at('22:35'), state: 'idle' },
      { ts: at('22:40'), state: 'running' },
    ];
    const intervals = stateIntervals(events, at('22:00'), at('23:00'), stateStaleAfterMs(10 * MIN));
    expect(intervals.map((i) => [span(i.from - t0), span(i.to - t0), i.state])).toEqual([
      [0, 25, 'running'],
      [25, 40, 'idle'],
      [40, 60, 'running'],
    ]);
    const time = accountTime(intervals, [{ from: at('22:00'), to: at('23:00') }], 2 * MIN);
    expect([time.downMs, time.runMs]).toEqual([15 * MIN, 45 * MIN]);
  });
});

describe('a stop across a planned break', () => {
  const timeline = (stopFrom: string, stopTo: string) =>
    stateIntervals(
      [
        { ts: at('22:00'), state: 'running' },
        { ts: at(stopFrom), state: 'idle' },
        { ts: at(stopTo), state: 'running' },
      ],
      at('22:00'),
      at('06:00'),
    );

  it('idle 02:00–02:32 over the break until 02:30 is a 2 min small stop, not a breakdown', () => {
    const states = timeline('02:00', '02:32');
    const time = accountTime(states, shift, 5 * MIN);
    expect(time).toEqual({
      plannedBusyMs: 7.5 * H,
      downMs: 0,
      runMs: 7.5 * H,
      microstopMs: 2 * MIN,
      setupMs: 0,
    });
    expect(downtimePareto(states, shift, 5 * MIN)).toEqual([]);
  });

  it('the parts before and after the break add up against the threshold', () => {
    // 01:58–02:31: 2 + 1 = 3 min unplanned, under 5 min: a small stop.
    expect(accountTime(timeline('01:58', '02:31'), shift, 5 * MIN).microstopMs).toBe(3 * MIN);
    // 01:50–02:32: 10 + 2 = 12 min unplanned: a breakdown of 12 min, never 42.
    const states = timeline('01:50', '02:32');
    expect(accountTime(states, shift, 5 * MIN).downMs).toBe(12 * MIN);
    expect(downtimePareto(states, shift, 5 * MIN)).toEqual([
      { reason: 'unassigned', state: 'idle', durationMs: 12 * MIN, stops: 1 },
    ]);
  });
});

describe('time before the first data is not monitored', () => {
  it('leaves planned busy time before the first data out, and reports it apart', () => {
    const { busy, notMonitored } = splitMonitored(shift, at('03:00'));
    expect(busy).toEqual([{ from: at('03:00'), to: at('06:00') }]);
    expect(notMonitored).toEqual([
      { from: at('22:00'), to: at('02:00') },
      { from: at('02:30'), to: at('03:00') },
    ]);
  });

  it('a machine with no data at all has no planned busy time; one with earlier data keeps it', () => {
    expect(splitMonitored(shift, null)).toEqual({ busy: [], notMonitored: shift });
    expect(splitMonitored(shift, t0 - H)).toEqual({ busy: shift, notMonitored: [] });
  });
});

/** A small seeded generator, so a failing timeline can be found again by its seed. */
function random(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]) => items[int(0, items.length - 1)]!;
  return { next, int, pick };
}

const STATES: readonly MachineState[] = [
  'running',
  'reduced_speed',
  'microstop',
  'idle',
  'down',
  'unknown',
];
const MODES: readonly ModeEvent['mode'][] = ['production', 'changeover', 'cleaning', 'no_order'];

/** One generated window: shifts with breaks, mode cards, states with silences, products. */
function generatedWindow(seed: number) {
  const r = random(seed);
  const from = t0 + r.int(0, 4 * H);
  const to = from + r.int(1, 12 * H);
  const shiftStart = from - r.int(0, 2 * H);
  const breakAt = shiftStart + r.int(0, 8 * H);
  const occurrence = {
    shift: 'night',
    name: 'Night',
    date: '2026-11-23',
    from: shiftStart,
    to: shiftStart + 8 * H,
    planned: subtract(
      [{ from: shiftStart, to: shiftStart + 8 * H }],
      [{ from: breakAt, to: breakAt + r.int(0, 45 * MIN) }],
    ),
  };
  const modeEvents = Array.from({ length: r.int(0, 6) }, () => ({
    ts: from + r.int(-H, to - from),
    mode: r.pick(MODES),
  }));
  const modes = modeIntervals(
    modeEvents,
    r.next() < 0.2 ? null : [occurrence],
    from,
    to,
    'production',
  );
  const { busy } = splitMonitored(
    busyIntervals(modes, ['cleaning', 'no_order']),
    r.next() < 0.3 ? from + r.int(-H, to - from + H) : from - H,
  );
  const events: StateEvent[] = Array.from({ length: r.int(0, 40) }, () => ({
    ts: from + r.int(-30 * MIN, to - from),
    state: r.pick(STATES),
    reason: r.pick([null, 'jam', 'tooling']),
  }));
  const states = stateIntervals(
    events,
    from,
    to,
    stateStaleAfterMs(r.pick([null, 1000, 60_000, 3_600_000])),
  );
  const time = accountTime(states, busy, r.int(0, 10) * MIN, {
    changeovers: modeTime(modes, 'changeover'),
    reasons: new Set(r.next() < 0.5 ? ['tooling'] : []),
  });
  const products = Array.from({ length: r.int(0, 3) }, () => {
    const total = r.int(0, 40_000);
    const good = r.int(0, total);
    return {
      idealCycleMs: r.int(100, 5000),
      total,
      good,
      startupRejects: r.int(0, total - good + 5),
    };
  });
  return { time, products };
}

describe('the six big losses, over many generated timelines', () => {
  it('always add up, with the fully productive time, to the planned busy time', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const { time, products } = generatedWindow(seed);
      const losses = sixBigLosses({ ...time, products })!;
      const parts = Object.values(losses);
      const sum = parts.reduce((s, v) => s + v, 0);
      expect(Math.abs(sum - time.plannedBusyMs), `seed ${seed}`).toBeLessThan(
        1e-6 * Math.max(1, time.plannedBusyMs),
      );
      expect(Math.min(...parts), `seed ${seed}`).toBeGreaterThanOrEqual(0);
      expect(time.downMs + time.microstopMs, `seed ${seed}`).toBeLessThanOrEqual(
        time.plannedBusyMs,
      );
    }
  });

  it('keep the ideal times as they are while performance is at most 100 %', () => {
    const losses = sixBigLosses({
      downMs: 10 * MIN,
      setupMs: 4 * MIN,
      runMs: 50 * MIN,
      microstopMs: 5 * MIN,
      products: [{ idealCycleMs: 1000, total: 2000, good: 1900, startupRejects: 30 }],
    })!;
    expect(losses).toEqual({
      breakdownsMs: 6 * MIN,
      setupsMs: 4 * MIN,
      smallStopsMs: 5 * MIN,
      reducedSpeedMs: 45 * MIN - 2_000_000,
      startupRejectsMs: 30_000,
      productionRejectsMs: 70_000,
      fullyProductiveMs: 1_900_000,
    });
  });

  it('fit more ideal time than the machine ran (P over 100 %) into the run time it had', () => {
    // Issue 15: a gateway sending states on change looked unknown most of the time, so 1 h
    // of run time carried 18 h of ideal time; the losses summed to far more than the shift.
    const losses = sixBigLosses({
      downMs: 7 * H,
      setupMs: 0,
      runMs: 1 * H,
      microstopMs: 0,
      products: [{ idealCycleMs: 1000, total: 18 * 3600, good: 18 * 3600 - 3600 }],
    })!;
    expect(losses.reducedSpeedMs).toBe(0);
    expect(losses.productionRejectsMs).toBeCloseTo(H / 18, 6);
    expect(losses.fullyProductiveMs).toBeCloseTo((17 * H) / 18, 6);
    expect(Object.values(losses).reduce((s, v) => s + v, 0)).toBeCloseTo(8 * H, 6);
  });
});
