import type { Message } from '@takt/protocol';

/** The chart a characteristic is kept on (docs/decisions.md, "Issue 23 — SPC statistics and the SPC page"). */
export const CHART_KINDS = ['xbar-r', 'xbar-s', 'i-mr', 'p', 'np', 'c', 'u'] as const;
export type ChartKind = (typeof CHART_KINDS)[number];

/** Run rules: Western Electric 1–4 and the four further Nelson patterns (docs/decisions.md, "Issue 23 — SPC statistics and the SPC page", names each pattern). */
export const RULE_IDS = [
  'we1',
  'we2',
  'we3',
  'we4',
  'nelson5',
  'nelson6',
  'nelson7',
  'nelson8',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/**
 * One subgroup. Variable charts: the measured values. Attribute charts: `values` holds the
 * counted nonconforming pieces (p, np) or nonconformities (c, u) — their sum is the count —
 * and `n` the pieces (p, np) or units (u) inspected.
 */
export interface Subgroup {
  at: number;
  values: readonly number[];
  n?: number;
}

/**
 * Control limits of the plotted statistic (X̄, I, p, np, c, u) and of its dispersion chart
 * (R, S or MR) where there is one. `sigma` is one standard error of the plotted statistic, the
 * width of a zone; for p and u with varying n it is the one at `meanN`, and each point carries
 * its own (chartPoints).
 */
export interface Limits {
  center: number;
  ucl: number;
  lcl: number;
  sigma: number;
  rangeCenter?: number;
  rangeUcl?: number;
  rangeLcl?: number;
  /** p and u: the average sample size the printed limits are for. */
  meanN?: number;
}

export interface ChartPoint {
  at: number;
  value: number;
  /** R, S or the moving range (absent on the first I point and on attribute charts). */
  range?: number;
  /** p and u with varying n: this point's own limits and sigma. */
  ucl?: number;
  lcl?: number;
  sigma?: number;
}

export interface Violation {
  rule: RuleId;
  at: number;
  index: number;
}

/**
 * Input the statistics cannot use. `reason` is a message of protocol/src/messages/spc-statistics.ts
 * so the server answers 400 in the reader's language; `message` is its English text for logs.
 */
export class SpcInputError extends Error {
  constructor(
    readonly reason: Message,
    message: string,
  ) {
    super(message);
    this.name = 'SpcInputError';
  }
}

export function spcInputError(
  key: string,
  english: string,
  params?: Record<string, string | number>,
): SpcInputError {
  return new SpcInputError({ key: `spcStats.${key}`, params }, english);
}
