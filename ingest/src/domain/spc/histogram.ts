/**
 * The histogram beside the capability figures, and a normality note that says how far the
 * data can be trusted to be normal: the Anderson–Darling statistic with estimated mean and σ,
 * its small-sample adjustment A*² = A²(1 + 0.75/n + 2.25/n²) and p-value from D'Agostino and
 * Stephens, "Goodness-of-Fit Techniques" (1986), table 4.9.
 */
import type { Message } from '@takt/protocol';
import { mean, stdDev } from './limits';
import { normalCdf } from './quantiles';
import { checkSpec } from './validate';

export interface HistogramBin {
  from: number;
  to: number;
  count: number;
}

export interface Normality {
  method: 'anderson-darling';
  n: number;
  /** A*², null below MIN_NORMALITY_N. */
  statistic: number | null;
  pValue: number | null;
  /** too-few: below MIN_NORMALITY_N; not-normal: p < 0.05; consistent: no evidence against normality. */
  verdict: 'too-few' | 'consistent' | 'not-normal';
  /** Fewer than SMALL_SAMPLE_N values: a "consistent" verdict means little. */
  smallSample: boolean;
  /** The sentence for the page (protocol/src/messages/spc-statistics.ts). */
  note: Message;
}

export interface Histogram {
  bins: HistogramBin[];
  lsl: number;
  usl: number;
  normality: Normality;
}

/** Below 8 values the test is not run (the floor nortest's ad.test and most texts use). */
export const MIN_NORMALITY_N = 8;
/** Below 30 values the test has little power: the note says so. */
export const SMALL_SAMPLE_N = 30;

/**
 * Equal-width bins over the values and both spec limits, so the LSL/USL lines fall on the
 * axis; `bins` defaults to Sturges' rule (⌈log₂ n⌉ + 1, at least 5).
 */
export function histogram(
  values: readonly number[],
  lsl: number,
  usl: number,
  bins?: number,
): Histogram {
  checkSpec(lsl, usl);
  const finite = values.filter(Number.isFinite);
  const count = bins ?? Math.max(5, Math.ceil(Math.log2(Math.max(1, finite.length))) + 1);
  let lo = lsl;
  let hi = usl;
  for (const v of finite) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const width = (hi - lo) / count;
  const out: HistogramBin[] = Array.from({ length: count }, (_, i) => ({
    from: lo + i * width,
    to: i === count - 1 ? hi : lo + (i + 1) * width,
    count: 0,
  }));
  for (const v of finite) {
    const i = Math.min(count - 1, Math.floor((v - lo) / width));
    out[i]!.count++;
  }
  return { bins: out, lsl, usl, normality: normality(finite) };
}

/** A² of a sample against the normal with the sample's own mean and σ. */
export function andersonDarling(values: readonly number[]): number {
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  const m = mean(sorted);
  const s = stdDev(sorted);
  const cdf = sorted.map((x) => clamp(normalCdf((x - m) / s)));
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += (2 * i + 1) * (Math.log(cdf[i]!) + Math.log(1 - cdf[n - 1 - i]!));
  }
  return -n - sum / n;
}

function clamp(p: number): number {
  return Math.min(1 - 1e-300, Math.max(1e-300, p));
}

/** The p-value of the adjusted statistic A*² (D'Agostino & Stephens 1986, case 3). */
export function andersonDarlingPValue(aStar: number): number {
  let p: number;
  if (aStar >= 0.6) p = Math.exp(1.2937 - 5.709 * aStar + 0.0186 * aStar * aStar);
  else if (aStar >= 0.34) p = Math.exp(0.9177 - 4.279 * aStar - 1.38 * aStar * aStar);
  else if (aStar >= 0.2) p = 1 - Math.exp(-8.318 + 42.796 * aStar - 59.938 * aStar * aStar);
  else p = 1 - Math.exp(-13.436 + 101.14 * aStar - 223.73 * aStar * aStar);
  return Math.min(1, Math.max(0, p));
}

export function normality(values: readonly number[]): Normality {
  const n = values.length;
  const smallSample = n < SMALL_SAMPLE_N;
  if (n < MIN_NORMALITY_N || !(stdDev(values) > 0)) {
    return {
      method: 'anderson-darling',
      n,
      statistic: null,
      pValue: null,
      verdict: 'too-few',
      smallSample,
      note: { key: 'spcStats.normalityTooFew', params: { n, minimum: MIN_NORMALITY_N } },
    };
  }
  const a2 = andersonDarling(values);
  const statistic = a2 * (1 + 0.75 / n + 2.25 / (n * n));
  const pValue = andersonDarlingPValue(statistic);
  const verdict = pValue < 0.05 ? 'not-normal' : 'consistent';
  const key =
    verdict === 'not-normal'
      ? 'spcStats.normalityRejected'
      : smallSample
        ? 'spcStats.normalitySmallSample'
        : 'spcStats.normalityConsistent';
  return {
    method: 'anderson-darling',
    n,
    statistic,
    pValue,
    verdict,
    smallSample,
    note: {
      key,
      params: { n, a2: statistic.toFixed(3), p: pValue < 0.001 ? '< 0.001' : pValue.toFixed(3) },
    },
  };
}
