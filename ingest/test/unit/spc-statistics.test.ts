import { describe, expect, it } from 'vitest';
import {
  andersonDarling,
  andersonDarlingPValue,
  c4Of,
  capability,
  chartPoints,
  chiSquareQuantile,
  CONSTANTS_TABLE,
  constantsFor,
  controlLimits,
  histogram,
  normalCdf,
  normality,
  normalQuantile,
  sigmaWithin,
  SpcInputError,
  type Subgroup,
} from '../../src/domain/spc';

describe('chart constants', () => {
  it('agree with the formulas that define them, within the rounding of the printed d2, d3, c4', () => {
    for (const k of CONSTANTS_TABLE) {
      const near = (a: number, b: number, digits: number) =>
        expect(Math.abs(a - b), `n=${k.n}`).toBeLessThanOrEqual(2.5 * 10 ** -digits);
      near(k.A2, 3 / (k.d2 * Math.sqrt(k.n)), 3);
      near(k.c4, c4Of(k.n), 4);
      near(k.A3, 3 / (k.c4 * Math.sqrt(k.n)), 3);
      near(k.B4, 1 + (3 * Math.sqrt(1 - k.c4 ** 2)) / k.c4, 3);
      near(k.B3, Math.max(0, 1 - (3 * Math.sqrt(1 - k.c4 ** 2)) / k.c4), 3);
      near(k.D4, 1 + (3 * k.d3) / k.d2, 3);
      near(k.D3, Math.max(0, 1 - (3 * k.d3) / k.d2), 3);
    }
  });

  it('derive the S-chart factors beyond n = 25 from c4', () => {
    const k = constantsFor(30);
    expect(k.c4).toBeCloseTo(0.9914, 4);
    expect(k.A3).toBeCloseTo(3 / (k.c4 * Math.sqrt(30)), 12);
  });
});

describe('distribution functions (reference values from scipy.stats 1.17)', () => {
  it('normal CDF and quantile', () => {
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.95996398, 7);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.09023231, 7);
    expect(normalQuantile(0.9999)).toBeCloseTo(3.71901649, 7);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
  });

  it('chi-square quantiles', () => {
    expect(chiSquareQuantile(0.025, 24)).toBeCloseTo(12.40115022, 6);
    expect(chiSquareQuantile(0.975, 24)).toBeCloseTo(39.36407703, 6);
    expect(chiSquareQuantile(0.025, 124)).toBeCloseTo(95.07008897, 5);
    expect(chiSquareQuantile(0.975, 124)).toBeCloseTo(156.71410383, 5);
  });
});

describe('X̄–S and the attribute charts', () => {
  it('X̄–S uses S̄ with A3, B3, B4 and σ within = S̄/c4', () => {
    const groups: Subgroup[] = [
      { at: 0, values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] },
      { at: 1, values: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] },
    ];
    const limits = controlLimits('xbar-s', groups);
    const s = Math.sqrt(13); // sample sd of 12 consecutive integers
    expect(limits.center).toBeCloseTo(7, 12);
    expect(limits.rangeCenter).toBeCloseTo(s, 12);
    expect(limits.ucl).toBeCloseTo(7 + 0.886 * s, 12);
    expect(limits.rangeUcl).toBeCloseTo(1.646 * s, 12);
    expect(limits.rangeLcl).toBeCloseTo(0.354 * s, 12);
    expect(sigmaWithin('xbar-s', groups)).toBeCloseTo(s / 0.9776, 12);
    expect(chartPoints('xbar-s', groups)[1]).toEqual({
      at: 1,
      value: 7.5,
      range: expect.closeTo(s, 12),
    });
  });

  it('np and c charts plot counts around n·p̄ and c̄ with the lower limit held at 0', () => {
    const np = controlLimits('np', [
      { at: 0, values: [2], n: 100 },
      { at: 1, values: [4], n: 100 },
    ]);
    expect(np.center).toBe(3);
    expect(np.ucl).toBeCloseTo(3 + 3 * Math.sqrt(3 * 0.97), 12);
    expect(np.lcl).toBe(0);
    const c = controlLimits('c', [
      { at: 0, values: [9] },
      { at: 1, values: [16] },
      { at: 2, values: [11] },
    ]);
    expect(c.center).toBe(12);
    expect(c.ucl).toBeCloseTo(12 + 3 * Math.sqrt(12), 12);
    expect(c.lcl).toBeCloseTo(12 - 3 * Math.sqrt(12), 12);
  });

  it('p and u with varying n give each point limits from its own n', () => {
    const lots: Subgroup[] = [
      { at: 0, values: [3], n: 10 },
      { at: 1, values: [6], n: 40 },
    ];
    const u = controlLimits('u', lots);
    expect(u.center).toBeCloseTo(9 / 50, 12);
    expect(u.meanN).toBe(25);
    const points = chartPoints('u', lots, u);
    expect(points[0]!.ucl).toBeCloseTo(0.18 + 3 * Math.sqrt(0.18 / 10), 12);
    expect(points[1]!.ucl).toBeCloseTo(0.18 + 3 * Math.sqrt(0.18 / 40), 12);
    expect(points[0]!.value).toBeCloseTo(0.3, 12);
  });
});

describe('capability', () => {
  const values = [9.8, 10.1, 10.0, 9.9, 10.2, 10.0, 10.1, 9.9, 10.0, 10.0];

  it('Cp, Cpk from σ within and Pp, Ppk from the sample σ, with chi-square and Bissell intervals', () => {
    const c = capability(values, 9.4, 10.7, 0.1);
    expect(c.mean).toBeCloseTo(10, 12);
    expect(c.cp).toBeCloseTo(1.3 / 0.6, 12);
    expect(c.cpk).toBeCloseTo(0.6 / 0.3, 12);
    expect(c.pp).toBeCloseTo(1.3 / (6 * c.sigmaOverall), 12);
    // Montgomery eq. 8.19 with χ²(0.025, 9) = 2.7004, χ²(0.975, 9) = 19.0228
    expect(c.ci.cp![0]).toBeCloseTo(c.cp! * Math.sqrt(2.70039 / 9), 4);
    expect(c.ci.cp![1]).toBeCloseTo(c.cp! * Math.sqrt(19.02277 / 9), 4);
    const half = 1.959964 * Math.sqrt(1 / 90 + 4 / 18);
    expect(c.ci.cpk![0]).toBeCloseTo(2 - half, 5);
    expect(c.ci.cpk![1]).toBeCloseTo(2 + half, 5);
  });

  it('answers null indices when σ is 0 rather than Infinity', () => {
    const c = capability([5, 5, 5], 4, 6, 0);
    expect(c.cp).toBeNull();
    expect(c.ci.cpk).toBeNull();
    expect(c.pp).toBeNull();
  });
});

describe('histogram and normality', () => {
  it('Anderson–Darling A² matches scipy.stats.anderson on the piston-ring data', () => {
    // scipy.stats.anderson(pistonrings[1:125]).statistic = 0.19101938
    const piston = [
      74.03, 74.002, 74.019, 73.992, 74.008, 73.995, 73.992, 74.001, 74.011, 74.004, 73.988, 74.024,
      74.021, 74.005, 74.002, 74.002, 73.996, 73.993, 74.015, 74.009, 73.992, 74.007, 74.015,
      73.989, 74.014, 74.009, 73.994, 73.997, 73.985, 73.993, 73.995, 74.006, 73.994, 74.0, 74.005,
      73.985, 74.003, 73.993, 74.015, 73.988, 74.008, 73.995, 74.009, 74.005, 74.004, 73.998, 74.0,
      73.99, 74.007, 73.995, 73.994, 73.998, 73.994, 73.995, 73.99, 74.004, 74.0, 74.007, 74.0,
      73.996, 73.983, 74.002, 73.998, 73.997, 74.012, 74.006, 73.967, 73.994, 74.0, 73.984, 74.012,
      74.014, 73.998, 73.999, 74.007, 74.0, 73.984, 74.005, 73.998, 73.996, 73.994, 74.012, 73.986,
      74.005, 74.007, 74.006, 74.01, 74.018, 74.003, 74.0, 73.984, 74.002, 74.003, 74.005, 73.997,
      74.0, 74.01, 74.013, 74.02, 74.003, 73.988, 74.001, 74.009, 74.005, 73.996, 74.004, 73.999,
      73.99, 74.006, 74.009, 74.01, 73.989, 73.99, 74.009, 74.014, 74.015, 74.008, 73.993, 74.0,
      74.01, 73.982, 73.984, 73.995, 74.017, 74.013,
    ];
    expect(andersonDarling(piston)).toBeCloseTo(0.19101938, 6);
  });

  it('p-values follow D’Agostino & Stephens’ four pieces', () => {
    expect(andersonDarlingPValue(0.1)).toBeGreaterThan(0.9);
    expect(andersonDarlingPValue(0.752)).toBeCloseTo(0.05, 2); // the 5 % critical value
    expect(andersonDarlingPValue(1.035)).toBeCloseTo(0.01, 2); // the 1 % critical value
  });

  it('says too few below 8 values, small sample below 30, and rejects a clearly skewed sample', () => {
    expect(normality([1, 2, 3, 4, 5, 6, 7]).verdict).toBe('too-few');
    expect(normality([1, 2, 3, 4, 5, 6, 7]).note.key).toBe('spcStats.normalityTooFew');
    const small = normality([4.9, 5.1, 5.0, 4.8, 5.2, 5.0, 4.95, 5.05, 5.0, 4.9]);
    expect(small.verdict).toBe('consistent');
    expect(small.note.key).toBe('spcStats.normalitySmallSample');
    const skewed = Array.from({ length: 60 }, (_, i) => Math.exp(i / 8));
    const r = normality(skewed);
    expect(r.verdict).toBe('not-normal');
    expect(r.pValue!).toBeLessThan(0.05);
  });

  it('counts every value once, including one on the upper edge', () => {
    const h = histogram([1, 2, 3, 4, 5], 0, 5, 5);
    expect(h.bins.map((b) => b.count)).toEqual([0, 1, 1, 1, 2]);
    expect(h.bins.map((b) => b.from)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('bad input is refused with the reason', () => {
  function reason(fn: () => unknown): string {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(SpcInputError);
      return (e as SpcInputError).reason.key;
    }
    throw new Error('expected SpcInputError');
  }

  it('X̄–R with a subgroup of 1, of 11, or of mixed sizes', () => {
    expect(reason(() => controlLimits('xbar-r', [{ at: 0, values: [1] }]))).toBe(
      'spcStats.wrongSize',
    );
    const eleven = Array.from({ length: 11 }, (_, i) => i);
    expect(reason(() => controlLimits('xbar-r', [{ at: 0, values: eleven }]))).toBe(
      'spcStats.wrongSize',
    );
    expect(
      reason(() =>
        controlLimits('xbar-r', [
          { at: 0, values: [1, 2, 3] },
          { at: 1, values: [1, 2] },
        ]),
      ),
    ).toBe('spcStats.mixedSizes');
  });

  it('non-finite values, an I–MR subgroup of 2, a single I value, np with varying n', () => {
    expect(reason(() => controlLimits('xbar-r', [{ at: 0, values: [1, NaN] }]))).toBe(
      'spcStats.notFinite',
    );
    expect(
      reason(() =>
        controlLimits('i-mr', [
          { at: 0, values: [1, Infinity] },
          { at: 1, values: [2] },
        ]),
      ),
    ).toBe('spcStats.notFinite');
    expect(
      reason(() =>
        controlLimits('i-mr', [
          { at: 0, values: [1, 2] },
          { at: 1, values: [2] },
        ]),
      ),
    ).toBe('spcStats.wrongSize');
    expect(reason(() => controlLimits('i-mr', [{ at: 0, values: [1] }]))).toBe(
      'spcStats.tooFewSubgroups',
    );
    expect(
      reason(() =>
        controlLimits('np', [
          { at: 0, values: [1], n: 50 },
          { at: 1, values: [1], n: 60 },
        ]),
      ),
    ).toBe('spcStats.mixedSizes');
    expect(reason(() => controlLimits('p', [{ at: 0, values: [6], n: 5 }]))).toBe(
      'spcStats.countAboveN',
    );
    expect(reason(() => controlLimits('p', [{ at: 0, values: [1] }]))).toBe(
      'spcStats.noSampleSize',
    );
    expect(reason(() => controlLimits('c', [{ at: 0, values: [1.5] }]))).toBe('spcStats.badCount');
  });

  it('LSL ≥ USL and too few values for capability', () => {
    expect(reason(() => capability([1, 2], 5, 5, 1))).toBe('spcStats.badSpec');
    expect(reason(() => capability([1, 2], 6, 5, 1))).toBe('spcStats.badSpec');
    expect(reason(() => histogram([1, 2], 6, 5))).toBe('spcStats.badSpec');
    expect(reason(() => capability([1], 0, 5, 1))).toBe('spcStats.tooFewValues');
  });
});
