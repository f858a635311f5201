import type { ChartKind, Message, SpcRuleId as RuleId } from '@takt/protocol';

/**
 * The charts and run rules are the plant model's lists (protocol/src/config/quality.ts), so a
 * characteristic's config and the statistics name the same ones; docs/decisions.md "Issue 23 —
 * SPC statistics and the SPC page" names each rule's pattern.
 */
export { CHART_KINDS, SPC_RULES as RULE_IDS } from '@takt/protocol';
export type { ChartKind, RuleId };

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
