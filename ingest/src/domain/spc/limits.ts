/**
 * Shewhart control limits (phase I, from a baseline) and the plotted points of every chart
 * kind. Formulas as in Montgomery, "Introduction to Statistical Quality Control", chapters 6
 * (X̄–R, X̄–S, I–MR) and 7 (p, np, c, u), with the constants of ./constants.ts.
 */
import { constantsFor, E2, MR_D2, MR_D4 } from './constants';
import { checkSubgroups, countOf } from './validate';
import type { ChartKind, ChartPoint, Limits, Subgroup } from './types';

export function mean(xs: readonly number[]): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** Sample standard deviation (n − 1). */
export function stdDev(xs: readonly number[]): number {
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
}

function range(xs: readonly number[]): number {
  return Math.max(...xs) - Math.min(...xs);
}

function movingRanges(subgroups: readonly Subgroup[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < subgroups.length; i++) {
    out.push(Math.abs(subgroups[i]!.values[0]! - subgroups[i - 1]!.values[0]!));
  }
  return out;
}

/** Phase I limits from the baseline subgroups. Throws SpcInputError on input the chart cannot use. */
export function controlLimits(kind: ChartKind, subgroups: readonly Subgroup[]): Limits {
  checkSubgroups(kind, subgroups);
  switch (kind) {
    case 'xbar-r': {
      const k = constantsFor(subgroups[0]!.values.length);
      const center = mean(subgroups.map((s) => mean(s.values)));
      const rBar = mean(subgroups.map((s) => range(s.values)));
      const half = k.A2 * rBar;
      return {
        center,
        ucl: center + half,
        lcl: center - half,
        sigma: half / 3,
        rangeCenter: rBar,
        rangeUcl: k.D4 * rBar,
        rangeLcl: k.D3 * rBar,
      };
    }
    case 'xbar-s': {
      const k = constantsFor(subgroups[0]!.values.length);
      const center = mean(subgroups.map((s) => mean(s.values)));
      const sBar = mean(subgroups.map((s) => stdDev(s.values)));
      const half = k.A3 * sBar;
      return {
        center,
        ucl: center + half,
        lcl: center - half,
        sigma: half / 3,
        rangeCenter: sBar,
        rangeUcl: k.B4 * sBar,
        rangeLcl: k.B3 * sBar,
      };
    }
    case 'i-mr': {
      const center = mean(subgroups.map((s) => s.values[0]!));
      const mrBar = mean(movingRanges(subgroups));
      return {
        center,
        ucl: center + E2 * mrBar,
        lcl: center - E2 * mrBar,
        sigma: mrBar / MR_D2,
        rangeCenter: mrBar,
        rangeUcl: MR_D4 * mrBar,
        rangeLcl: 0,
      };
    }
    default:
      return attributeLimits(kind, subgroups);
  }
}

function attributeLimits(kind: 'p' | 'np' | 'c' | 'u', subgroups: readonly Subgroup[]): Limits {
  const counts = subgroups.map(countOf);
  const total = counts.reduce((a, b) => a + b, 0);
  const inspected = subgroups.reduce((a, s) => a + (s.n ?? 0), 0);
  const meanN = inspected / subgroups.length;
  switch (kind) {
    case 'p': {
      const pBar = total / inspected;
      return { ...attributeBand(pBar, pSigma(pBar, meanN), 1), meanN };
    }
    case 'np': {
      const n = subgroups[0]!.n!;
      const pBar = total / inspected;
      return attributeBand(n * pBar, Math.sqrt(n * pBar * (1 - pBar)), n);
    }
    case 'c': {
      const cBar = total / subgroups.length;
      return attributeBand(cBar, Math.sqrt(cBar), Infinity);
    }
    case 'u': {
      const uBar = total / inspected;
      return { ...attributeBand(uBar, Math.sqrt(uBar / meanN), Infinity), meanN };
    }
  }
}

function pSigma(pBar: number, n: number): number {
  return Math.sqrt((pBar * (1 - pBar)) / n);
}

/** Center ± 3σ, the lower limit held at 0 and the upper at the largest possible value. */
function attributeBand(center: number, sigma: number, max: number): Limits {
  return {
    center,
    sigma,
    ucl: Math.min(max, center + 3 * sigma),
    lcl: Math.max(0, center - 3 * sigma),
  };
}

/**
 * The plotted statistic of each subgroup: X̄ with R or S, the individual value with its moving
 * range, or the attribute statistic. p and u points carry their own limits from their own n
 * when `limits` is given (Montgomery 7.2.2, variable sample size).
 */
export function chartPoints(
  kind: ChartKind,
  subgroups: readonly Subgroup[],
  limits?: Limits,
): ChartPoint[] {
  if (subgroups.length === 0) return [];
  checkSubgroups(kind, subgroups, 1);
  return subgroups.map((s, i) => pointOf(kind, s, i > 0 ? subgroups[i - 1] : undefined, limits));
}

function pointOf(
  kind: ChartKind,
  s: Subgroup,
  previous: Subgroup | undefined,
  limits: Limits | undefined,
): ChartPoint {
  switch (kind) {
    case 'xbar-r':
      return { at: s.at, value: mean(s.values), range: range(s.values) };
    case 'xbar-s':
      return { at: s.at, value: mean(s.values), range: stdDev(s.values) };
    case 'i-mr': {
      const value = s.values[0]!;
      return previous
        ? { at: s.at, value, range: Math.abs(value - previous.values[0]!) }
        : { at: s.at, value };
    }
    case 'np':
    case 'c':
      return { at: s.at, value: countOf(s) };
    case 'p':
    case 'u': {
      const value = countOf(s) / s.n!;
      if (!limits) return { at: s.at, value };
      const sigma = kind === 'p' ? pSigma(limits.center, s.n!) : Math.sqrt(limits.center / s.n!);
      const band = attributeBand(limits.center, sigma, kind === 'p' ? 1 : Infinity);
      return { at: s.at, value, ucl: band.ucl, lcl: band.lcl, sigma };
    }
  }
}

/**
 * σ within subgroups for Cp/Cpk: R̄/d2 (X̄–R), S̄/c4 (X̄–S), MR̄/1.128 (I–MR)
 * (Montgomery 8.3). Not defined for attribute charts.
 */
export function sigmaWithin(kind: ChartKind, subgroups: readonly Subgroup[]): number {
  const limits = controlLimits(kind, subgroups);
  const n = subgroups[0]!.values.length;
  switch (kind) {
    case 'xbar-r':
      return limits.rangeCenter! / constantsFor(n).d2;
    case 'xbar-s':
      return limits.rangeCenter! / constantsFor(n).c4;
    case 'i-mr':
      return limits.rangeCenter! / MR_D2;
    default:
      return NaN;
  }
}
