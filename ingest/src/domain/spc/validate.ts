import type { ChartKind, Subgroup } from './types';
import { spcInputError } from './types';

const VARIABLE: ReadonlySet<ChartKind> = new Set(['xbar-r', 'xbar-s', 'i-mr']);

export function isVariableChart(kind: ChartKind): boolean {
  return VARIABLE.has(kind);
}

/** The subgroup size a chart accepts, as the plant model's `subgroupSize` is checked. */
export function subgroupSizeProblem(kind: ChartKind, size: number): string | null {
  if (kind === 'xbar-r' && !(size >= 2 && size <= 10)) return 'X̄–R takes subgroups of 2 to 10';
  if (kind === 'xbar-s' && !(size >= 2)) return 'X̄–S takes subgroups of 2 or more';
  if (kind === 'i-mr' && size !== 1) return 'I–MR takes single values (subgroup size 1)';
  return null;
}

function checkFinite(subgroups: readonly Subgroup[]): void {
  subgroups.forEach((s, index) => {
    if (!Number.isFinite(s.at)) {
      throw spcInputError('badTime', `subgroup ${index + 1} has no valid time`, {
        index: index + 1,
      });
    }
    s.values.forEach((v) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw spcInputError(
          'notFinite',
          `subgroup ${index + 1} holds ${String(v)}, which is not a finite number`,
          { index: index + 1, value: String(v) },
        );
      }
    });
  });
}

/**
 * Throws SpcInputError with the reason when the subgroups cannot make this chart: too few
 * subgroups, a size the chart does not take, mixed sizes, non-finite values, counts that are
 * not whole or exceed the inspected pieces.
 */
export function checkSubgroups(
  kind: ChartKind,
  subgroups: readonly Subgroup[],
  minimum = kind === 'i-mr' ? 2 : 1,
): void {
  if (subgroups.length < minimum) {
    throw spcInputError(
      'tooFewSubgroups',
      `${kind} needs at least ${minimum} subgroups, got ${subgroups.length}`,
      { chart: kind, minimum, count: subgroups.length },
    );
  }
  checkFinite(subgroups);
  if (isVariableChart(kind)) checkVariable(kind, subgroups);
  else checkAttribute(kind, subgroups);
}

function checkVariable(kind: ChartKind, subgroups: readonly Subgroup[]): void {
  const size = subgroups[0]!.values.length;
  subgroups.forEach((s, index) => {
    const problem = subgroupSizeProblem(kind, s.values.length);
    if (problem) {
      throw spcInputError(
        'wrongSize',
        `subgroup ${index + 1} has ${s.values.length} values: ${problem}`,
        { index: index + 1, size: s.values.length, chart: kind },
      );
    }
    if (s.values.length !== size) {
      throw spcInputError(
        'mixedSizes',
        `subgroup ${index + 1} has ${s.values.length} values where the first has ${size}: ${kind} needs one subgroup size`,
        { index: index + 1, size: s.values.length, first: size, chart: kind },
      );
    }
  });
}

function checkAttribute(kind: ChartKind, subgroups: readonly Subgroup[]): void {
  const needsN = kind === 'p' || kind === 'np' || kind === 'u';
  subgroups.forEach((s, index) => {
    const count = countOf(s);
    if (!Number.isInteger(count) || count < 0) {
      throw spcInputError(
        'badCount',
        `subgroup ${index + 1}: the count ${count} is not a whole number ≥ 0`,
        {
          index: index + 1,
          count,
        },
      );
    }
    if (!needsN) return;
    const n = s.n;
    if (n === undefined || !Number.isFinite(n) || n <= 0) {
      throw spcInputError('noSampleSize', `subgroup ${index + 1} has no inspected count n > 0`, {
        index: index + 1,
      });
    }
    if ((kind === 'p' || kind === 'np') && (count > n || !Number.isInteger(n))) {
      throw spcInputError(
        'countAboveN',
        `subgroup ${index + 1}: ${count} nonconforming of ${n} inspected is not possible`,
        { index: index + 1, count, n },
      );
    }
  });
  if (kind === 'np' && new Set(subgroups.map((s) => s.n)).size > 1) {
    throw spcInputError(
      'mixedSizes',
      'np needs the same inspected count in every lot; use a p chart when it varies',
      { index: 1, size: subgroups[0]!.n ?? 0, first: subgroups[0]!.n ?? 0, chart: kind },
    );
  }
}

export function countOf(s: Subgroup): number {
  return s.values.reduce((a, b) => a + b, 0);
}

/** Spec limits: both finite and LSL below USL. */
export function checkSpec(lsl: number, usl: number): void {
  if (!Number.isFinite(lsl) || !Number.isFinite(usl) || lsl >= usl) {
    throw spcInputError('badSpec', `the lower spec limit ${lsl} must be below the upper ${usl}`, {
      lsl: String(lsl),
      usl: String(usl),
    });
  }
}
