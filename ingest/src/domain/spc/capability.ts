/**
 * Process capability (Montgomery, "Introduction to Statistical Quality Control", 8.3):
 * Cp and Cpk from σ within subgroups (sigmaWithin in ./limits.ts), Pp and Ppk from the overall
 * sample standard deviation. Confidence intervals: chi-square for Cp and Pp (Montgomery eq. 8.19,
 * ν = n − 1), Bissell's normal approximation for Cpk and Ppk
 * (Bissell, "How reliable is your capability index?", Applied Statistics 39, 1990).
 */
import { mean, stdDev } from './limits';
import { chiSquareQuantile, normalQuantile } from './quantiles';
import { checkSpec } from './validate';
import { spcInputError } from './types';

export type Interval = [lo: number, hi: number];

export interface Capability {
  n: number;
  mean: number;
  sigmaWithin: number;
  sigmaOverall: number;
  cp: number | null;
  cpk: number | null;
  pp: number | null;
  ppk: number | null;
  /** Two-sided intervals at `confidence`; null where the index is. */
  ci: { cp: Interval | null; cpk: Interval | null; pp: Interval | null; ppk: Interval | null };
  confidence: number;
}

function indices(
  m: number,
  sigma: number,
  lsl: number,
  usl: number,
): [number | null, number | null] {
  if (!(sigma > 0) || !Number.isFinite(sigma)) return [null, null];
  return [(usl - lsl) / (6 * sigma), Math.min(usl - m, m - lsl) / (3 * sigma)];
}

function chiInterval(index: number | null, n: number, alpha: number): Interval | null {
  if (index === null) return null;
  const nu = n - 1;
  return [
    index * Math.sqrt(chiSquareQuantile(alpha / 2, nu) / nu),
    index * Math.sqrt(chiSquareQuantile(1 - alpha / 2, nu) / nu),
  ];
}

function bissellInterval(index: number | null, n: number, alpha: number): Interval | null {
  if (index === null) return null;
  const half =
    normalQuantile(1 - alpha / 2) * Math.sqrt(1 / (9 * n) + (index * index) / (2 * (n - 1)));
  return [index - half, index + half];
}

/** Capability of `values` against the spec; throws SpcInputError on LSL ≥ USL or fewer than 2 values. */
export function capability(
  values: readonly number[],
  lsl: number,
  usl: number,
  sigmaWithin: number,
  confidence = 0.95,
): Capability {
  checkSpec(lsl, usl);
  if (values.length < 2) {
    throw spcInputError(
      'tooFewValues',
      `capability needs at least 2 values, got ${values.length}`,
      {
        count: values.length,
      },
    );
  }
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) {
      throw spcInputError('notFinite', `value ${i + 1} is ${String(v)}, not a finite number`, {
        index: i + 1,
        value: String(v),
      });
    }
  });
  const n = values.length;
  const m = mean(values);
  const sigmaOverall = stdDev(values);
  const [cp, cpk] = indices(m, sigmaWithin, lsl, usl);
  const [pp, ppk] = indices(m, sigmaOverall, lsl, usl);
  const alpha = 1 - confidence;
  return {
    n,
    mean: m,
    sigmaWithin,
    sigmaOverall,
    cp,
    cpk,
    pp,
    ppk,
    ci: {
      cp: chiInterval(cp, n, alpha),
      pp: chiInterval(pp, n, alpha),
      cpk: bissellInterval(cpk, n, alpha),
      ppk: bissellInterval(ppk, n, alpha),
    },
    confidence,
  };
}
