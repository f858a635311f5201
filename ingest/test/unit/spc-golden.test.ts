/**
 * Golden tests: published textbook examples, data taken from the copies the R package qcc
 * distributes (github.com/luca-scr/qcc, data/pistonrings.txt, data/orangejuice.txt,
 * data/viscosity.txt), each asserted to the precision the book prints.
 */
import { describe, expect, it } from 'vitest';
import {
  capability,
  chartPoints,
  controlLimits,
  histogram,
  ruleViolations,
  sigmaWithin,
  type Subgroup,
} from '../../src/domain/spc';

// Montgomery, "Introduction to Statistical Quality Control" (2nd ed. pp. 206–213; 6th ed.
// Example 6.1 and Table 6.3): inside diameter of forged piston rings, mm, 25 phase I
// subgroups of 5. Specification 74.000 ± 0.05 mm.
const PISTON_RINGS: number[][] = [
  [74.03, 74.002, 74.019, 73.992, 74.008],
  [73.995, 73.992, 74.001, 74.011, 74.004],
  [73.988, 74.024, 74.021, 74.005, 74.002],
  [74.002, 73.996, 73.993, 74.015, 74.009],
  [73.992, 74.007, 74.015, 73.989, 74.014],
  [74.009, 73.994, 73.997, 73.985, 73.993],
  [73.995, 74.006, 73.994, 74.0, 74.005],
  [73.985, 74.003, 73.993, 74.015, 73.988],
  [74.008, 73.995, 74.009, 74.005, 74.004],
  [73.998, 74.0, 73.99, 74.007, 73.995],
  [73.994, 73.998, 73.994, 73.995, 73.99],
  [74.004, 74.0, 74.007, 74.0, 73.996],
  [73.983, 74.002, 73.998, 73.997, 74.012],
  [74.006, 73.967, 73.994, 74.0, 73.984],
  [74.012, 74.014, 73.998, 73.999, 74.007],
  [74.0, 73.984, 74.005, 73.998, 73.996],
  [73.994, 74.012, 73.986, 74.005, 74.007],
  [74.006, 74.01, 74.018, 74.003, 74.0],
  [73.984, 74.002, 74.003, 74.005, 73.997],
  [74.0, 74.01, 74.013, 74.02, 74.003],
  [73.988, 74.001, 74.009, 74.005, 73.996],
  [74.004, 73.999, 73.99, 74.006, 74.009],
  [74.01, 73.989, 73.99, 74.009, 74.014],
  [74.015, 74.008, 73.993, 74.0, 74.01],
  [73.982, 73.984, 73.995, 74.017, 74.013],
];

function subgroups(rows: number[][]): Subgroup[] {
  return rows.map((values, i) => ({ at: i, values }));
}

/** |actual − printed| within half a unit of the printed last digit. */
function printed(actual: number | null | undefined, value: number, decimals: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - value)).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-12);
}

describe('X̄–R: Montgomery, piston-ring inside diameters (25 subgroups of 5)', () => {
  const groups = subgroups(PISTON_RINGS);
  const limits = controlLimits('xbar-r', groups);

  it('gives the printed x̄̄ = 74.001, R̄ = 0.023, UCL = 74.014, LCL = 73.988', () => {
    printed(limits.center, 74.001, 3);
    printed(limits.rangeCenter, 0.023, 3);
    printed(limits.ucl, 74.014, 3);
    printed(limits.lcl, 73.988, 3);
  });

  it('gives the R chart limits D3·R̄ = 0 and D4·R̄ (the book prints 0.049 from R̄ rounded to 0.023)', () => {
    expect(limits.rangeLcl).toBe(0);
    expect(Math.abs(limits.rangeUcl! - 0.049)).toBeLessThanOrEqual(0.001);
    expect(limits.rangeUcl).toBeCloseTo(2.114 * limits.rangeCenter!, 12);
  });

  it('finds the phase I subgroups in control on both charts, as the book concludes', () => {
    const points = chartPoints('xbar-r', groups);
    expect(ruleViolations(points, limits, ['we1'])).toEqual([]);
    expect(points.every((p) => p.range! <= limits.rangeUcl!)).toBe(true);
  });

  it('gives the printed σ̂ = R̄/d2 = 0.0099 and Cp = 1.68 (the book works from R̄ = 0.023)', () => {
    const values = PISTON_RINGS.flat();
    printed(0.023 / 2.326, 0.0099, 4);
    const book = capability(values, 73.95, 74.05, 0.0099);
    printed(book.cp, 1.68, 2);
    // Unrounded, R̄ = 0.02276 gives σ̂ = 0.00979 and Cp = 1.70.
    const exact = capability(values, 73.95, 74.05, sigmaWithin('xbar-r', groups));
    printed(exact.sigmaWithin, 0.00979, 5);
    printed(exact.cp, 1.7, 2);
    expect(exact.cpk!).toBeLessThan(exact.cp!);
    expect(exact.ci.cp![0]).toBeLessThan(exact.cp!);
    expect(exact.ci.cp![1]).toBeGreaterThan(exact.cp!);
  });

  it('puts all 125 diameters in histogram bins spanning the spec limits', () => {
    const h = histogram(PISTON_RINGS.flat(), 73.95, 74.05);
    expect(h.bins.reduce((a, b) => a + b.count, 0)).toBe(125);
    expect(h.bins[0]!.from).toBe(73.95);
    expect(h.bins.at(-1)!.to).toBe(74.05);
    expect(h.normality.verdict).toBe('consistent');
  });
});

// Montgomery, "Introduction to Statistical Quality Control" (6th ed. Example 7.1, Table 7.1):
// frozen orange juice concentrate cans, nonconforming per sample of 50, 30 phase I samples.
const ORANGE_JUICE = [
  12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7,
  13, 9, 6,
];

describe('p chart: Montgomery Example 7.1, orange-juice cans (30 samples of 50)', () => {
  const lots = ORANGE_JUICE.map((d, i): Subgroup => ({ at: i, values: [d], n: 50 }));

  it('gives the printed p̄ = 0.2313, UCL = 0.4102, LCL = 0.0524', () => {
    const limits = controlLimits('p', lots);
    printed(limits.center, 0.2313, 4);
    printed(limits.ucl, 0.4102, 4);
    printed(limits.lcl, 0.0524, 4);
  });

  it('flags samples 15 and 23 above the UCL, as the book does', () => {
    const limits = controlLimits('p', lots);
    const found = ruleViolations(chartPoints('p', lots, limits), limits, ['we1']);
    expect(found.map((v) => v.index + 1)).toEqual([15, 23]);
  });

  it('gives the printed revised limits without samples 15 and 23: p̄ = 0.2150, UCL = 0.3893, LCL = 0.0407', () => {
    const revised = lots.filter((_, i) => i !== 14 && i !== 22);
    const limits = controlLimits('p', revised);
    printed(limits.center, 0.215, 4);
    printed(limits.ucl, 0.3893, 4);
    printed(limits.lcl, 0.0407, 4);
  });
});

// Montgomery, "Introduction to Statistical Quality Control" (5th ed. pp. 232–235): viscosity
// of an aircraft primer paint, one measurement per batch, 20 phase I batches. The expected
// figures are the book's formulas (x̄ ± 2.66·MR̄, D4·MR̄) worked to its precision.
const VISCOSITY = [
  34.05, 34.4, 33.59, 35.96, 34.7, 33.51, 33.79, 34.04, 34.52, 33.75, 33.27, 33.71, 34.03, 34.58,
  34.02, 33.97, 34.05, 34.04, 33.73, 34.05,
];

describe('I–MR: Montgomery, aircraft primer paint viscosity (20 batches)', () => {
  const batches = VISCOSITY.map((v, i): Subgroup => ({ at: i, values: [v] }));
  const limits = controlLimits('i-mr', batches);

  it('gives x̄ = 34.088, MR̄ = 0.5726, UCL = 35.61, LCL = 32.56 and the MR chart UCL = 1.871', () => {
    printed(limits.center, 34.088, 3);
    printed(limits.rangeCenter, 0.5726, 4);
    printed(limits.ucl, 35.61, 2);
    printed(limits.lcl, 32.56, 2);
    printed(limits.rangeUcl, 1.871, 3);
  });

  it('plots the moving ranges from the second batch on; batch 4 (35.96) is above the UCL', () => {
    const points = chartPoints('i-mr', batches);
    expect(points[0]!.range).toBeUndefined();
    expect(points[3]!.range).toBeCloseTo(2.37, 10);
    expect(ruleViolations(points, limits, ['we1'])).toEqual([{ rule: 'we1', at: 3, index: 3 }]);
    // The jump into it (2.37) exceeds the MR chart UCL; the one out of it (1.26) does not.
    expect(points.filter((p) => (p.range ?? 0) > limits.rangeUcl!).map((p) => p.at)).toEqual([3]);
  });
});
