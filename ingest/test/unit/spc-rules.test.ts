import { describe, expect, it } from 'vitest';
import { ruleViolations, type ChartPoint, type Limits, type RuleId } from '../../src/domain/spc';

/** Center 0, σ 1: a value is its own distance in sigmas. */
const LIMITS: Limits = { center: 0, ucl: 3, lcl: -3, sigma: 1 };

function points(values: number[]): ChartPoint[] {
  return values.map((value, at) => ({ at: at * 1000, value }));
}

function fired(rule: RuleId, values: number[]): number[] {
  return ruleViolations(points(values), LIMITS, [rule]).map((v) => v.index);
}

describe('run rules on zones A/B/C from the center', () => {
  it('we1 fires on a point beyond either 3σ limit, not on one at 2.9σ', () => {
    expect(fired('we1', [0, 3.1, 0, -3.2, 2.9])).toEqual([1, 3]);
    expect(fired('we1', [2.9, -2.9, 3])).toEqual([]);
  });

  it('we2 fires on the second of 2 of 3 beyond 2σ on one side, not when the sides differ', () => {
    expect(fired('we2', [0, 2.5, 0.3, 2.1])).toEqual([3]);
    expect(fired('we2', [2.5, -2.5, 0])).toEqual([]);
    expect(fired('we2', [2.5, 1.9, 1.9, 2.5])).toEqual([]);
  });

  it('we3 fires on 4 of 5 beyond 1σ on one side, not on 3 of 5', () => {
    expect(fired('we3', [1.5, 1.2, 0.2, 1.8, 1.1])).toEqual([4]);
    expect(fired('we3', [1.5, 1.2, 0.2, 0.8, 1.1])).toEqual([]);
    expect(fired('we3', [-1.5, -1.2, -1.4, -1.8])).toEqual([]);
  });

  it('we4 fires from the eighth point on one side, not on seven', () => {
    expect(fired('we4', [0.1, 0.2, 0.1, 0.4, 0.3, 0.2, 0.1, 0.5, 0.2])).toEqual([7, 8]);
    expect(fired('we4', [-0.1, 0.2, 0.1, 0.4, 0.3, 0.2, 0.1, 0.5])).toEqual([]);
  });

  it('nelson5 fires on six points steadily rising or falling, not when one repeats', () => {
    expect(fired('nelson5', [0, 0.1, 0.2, 0.3, 0.4, 0.5])).toEqual([5]);
    expect(fired('nelson5', [0.5, 0.4, 0.3, 0.2, 0.1, 0])).toEqual([5]);
    expect(fired('nelson5', [0, 0.1, 0.2, 0.2, 0.4, 0.5])).toEqual([]);
  });

  it('nelson6 fires on fourteen points alternating up and down, not on thirteen', () => {
    const zigzag = Array.from({ length: 14 }, (_, i) => (i % 2 === 0 ? 0.5 : -0.5));
    expect(fired('nelson6', zigzag)).toEqual([13]);
    expect(fired('nelson6', zigzag.slice(1))).toEqual([]);
  });

  it('nelson7 fires on fifteen points within 1σ, not when one leaves zone C', () => {
    const hugging = Array.from({ length: 15 }, (_, i) => (i % 3) * 0.3 - 0.3);
    expect(fired('nelson7', hugging)).toEqual([14]);
    expect(fired('nelson7', [...hugging.slice(0, 7), 1.2, ...hugging.slice(8)])).toEqual([]);
  });

  it('nelson8 fires on eight points beyond 1σ on either side, not when one is in zone C', () => {
    const mixture = [1.5, -1.5, 1.2, -2, 1.4, -1.3, 2.1, -1.1];
    expect(fired('nelson8', mixture)).toEqual([7]);
    expect(fired('nelson8', [...mixture.slice(0, 4), 0.5, ...mixture.slice(5)])).toEqual([]);
  });

  it('checks only the rules asked for and reports each by its id and the point time', () => {
    const values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 3.5];
    const all = ruleViolations(points(values), LIMITS, ['we1', 'we4', 'nelson5']);
    expect(all).toEqual([
      { rule: 'nelson5', at: 5000, index: 5 },
      { rule: 'nelson5', at: 6000, index: 6 },
      { rule: 'we1', at: 7000, index: 7 },
      { rule: 'we4', at: 7000, index: 7 },
      { rule: 'nelson5', at: 7000, index: 7 },
    ]);
    expect(ruleViolations(points(values), LIMITS, [])).toEqual([]);
  });

  it('uses a point’s own limits and sigma (p chart with varying n)', () => {
    const own: ChartPoint[] = [{ at: 0, value: 0.3, ucl: 0.35, lcl: 0.05, sigma: 0.05 }];
    const p: Limits = { center: 0.2, ucl: 0.25, lcl: 0.15, sigma: 1 / 60 };
    expect(ruleViolations(own, p, ['we1'])).toEqual([]);
    expect(ruleViolations([{ ...own[0]!, value: 0.36 }], p, ['we1'])).toHaveLength(1);
  });
});
