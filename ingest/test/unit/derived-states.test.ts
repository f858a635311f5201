import { describe, expect, it } from 'vitest';
import {
  DerivedStateTracker,
  stateFromCounts,
  stateFromSignal,
  stateRules,
  type TrackerBatch,
} from '../../src/domain/derived-states';

describe('states derived where the PLC gives none', () => {
  it('from a signal against a limit, with reduced speed below a second one', () => {
    const rule = { tag: 'spindle_speed', runningAbove: 100, reducedBelow: 1000 };
    expect([0, 100, 101, 999, 1000, 5000].map((v) => stateFromSignal(v, rule))).toEqual([
      'idle',
      'idle',
      'reduced_speed',
      'reduced_speed',
      'running',
      'running',
    ]);
    expect(stateFromSignal(Number.NaN, rule)).toBe('idle');
  });

  it('from count activity: running while pieces come, idle from the last piece + the wait', () => {
    const rule = { idleAfterS: 60 };
    expect(stateFromCounts(null, 5_000, rule)).toEqual({ state: 'idle', since: 5_000 });
    expect(stateFromCounts(10_000, 69_999, rule)).toEqual({ state: 'running', since: 10_000 });
    expect(stateFromCounts(10_000, 200_000, rule)).toEqual({ state: 'idle', since: 70_000 });
  });
});

const S = 1000;
const metric = (
  machineId: string,
  readings: [number, number | string, string?][],
  tag = 'speed',
) => ({
  machineId,
  payload: {
    readings: readings.map(([ts, value, quality = 'good']) => ({ tag, value, ts, quality })),
  },
});
const batch = (b: Partial<TrackerBatch>): TrackerBatch => ({ metrics: [], counts: [], ...b });

describe('the derived-state tracker (clock injected)', () => {
  const rules = stateRules([
    {
      lines: [
        {
          id: 'l1',
          name: 'Line',
          machines: [
            {
              id: 'lathe',
              name: 'Lathe',
              stateFrom: { signal: { tag: 'speed', runningAbove: 100 } },
            },
            { id: 'press', name: 'Press', stateFrom: { counts: { idleAfterS: 60 } } },
            { id: 'plc', name: 'PLC' },
          ],
        },
      ],
    },
  ] as never);

  it('takes its rules from the plant model: only machines with stateFrom', () => {
    expect([...rules.keys()]).toEqual(['lathe', 'press']);
  });

  it('writes a signal state when it changes, at its time, and once a minute while unchanged', () => {
    const t = new DerivedStateTracker(rules);
    // Readings arrive out of order; bad quality, other tags and text are not the signal.
    const rows = t.batch(
      batch({
        metrics: [
          metric('lathe', [
            [30 * S, 500],
            [10 * S, 500],
            [20 * S, 0, 'bad'],
            [40 * S, 50],
            [50 * S, 'fast'],
          ]),
          metric('lathe', [[45 * S, 0]], 'temperature'),
          metric('plc', [[10 * S, 500]]),
        ],
      }),
    );
    expect(rows).toEqual([
      { machine: 'lathe', ts: 10 * S, state: 'running' },
      { machine: 'lathe', ts: 40 * S, state: 'idle' },
    ]);
    // Idle written at 40 s: unchanged at 99 s is not due, at 100 s it is (60 s heartbeat).
    expect(t.batch(batch({ metrics: [metric('lathe', [[99 * S, 0]])] }))).toEqual([]);
    expect(t.batch(batch({ metrics: [metric('lathe', [[100 * S, 0]])] }))).toEqual([
      { machine: 'lathe', ts: 100 * S, state: 'idle' },
    ]);
  });

  it('runs a counting machine from its first piece and idles it from the last piece + 60 s', () => {
    const t = new DerivedStateTracker(rules);
    const count = (ts: number, good: number, reject = 0) => ({
      machine: 'press',
      ts,
      good,
      reject,
    });
    expect(t.batch(batch({ counts: [count(20 * S, 0), count(10 * S, 2)] }))).toEqual([
      { machine: 'press', ts: 10 * S, state: 'running' },
    ]);
    // Running still at 60 s (the row of 10 s is not 60 s old); a reject is a piece too, and
    // at 75 s the unchanged state is due again (75 - 10 >= 60).
    expect(t.batch(batch({ counts: [count(60 * S, 3)] }))).toEqual([]);
    expect(t.batch(batch({ counts: [count(75 * S, 0, 1)] }))).toEqual([
      { machine: 'press', ts: 75 * S, state: 'running' },
    ]);
    // An empty count at 200 s: idle since the last piece + 60 s = 135 s.
    expect(t.batch(batch({ counts: [count(200 * S, 0)] }))).toEqual([
      { machine: 'press', ts: 135 * S, state: 'idle' },
    ]);
  });

  it('turns a running counting machine idle on the clock when no message comes', () => {
    const t = new DerivedStateTracker(rules);
    t.batch(
      batch({
        counts: [{ machine: 'press', ts: 10 * S, good: 1, reject: 0 }],
        metrics: [metric('lathe', [[10 * S, 500]])],
      }),
    );
    expect(t.tick(69 * S)).toEqual([]);
    expect(t.tick(70 * S)).toEqual([{ machine: 'press', ts: 70 * S, state: 'idle' }]);
    // Idle now: the clock leaves it (and the signal machine, which it never judges) alone.
    expect(t.tick(500 * S)).toEqual([]);
  });

  it('goes back to a saved memory, so a batch whose rows were not stored is judged again', () => {
    const t = new DerivedStateTracker(rules);
    const first = batch({ counts: [{ machine: 'press', ts: 10 * S, good: 1, reject: 0 }] });
    const saved = t.save();
    const rows = t.batch(first);
    expect(rows).toEqual([{ machine: 'press', ts: 10 * S, state: 'running' }]);
    t.restore(saved);
    expect(t.batch(first)).toEqual(rows);
    // The saved copy is not the live memory: judging on leaves it as it was.
    const again = t.save();
    t.batch(batch({ counts: [{ machine: 'press', ts: 200 * S, good: 0, reject: 0 }] }));
    t.restore(again);
    expect(t.tick(69 * S)).toEqual([]);
    expect(t.tick(70 * S)).toEqual([{ machine: 'press', ts: 70 * S, state: 'idle' }]);
  });
});
