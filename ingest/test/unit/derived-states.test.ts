import { describe, expect, it } from 'vitest';
import { stateFromCounts, stateFromSignal } from '../../src/domain/derived-states';

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
