/**
 * SPC statistics: pure functions, no I/O (docs/architecture.md "Conventions" 4;
 * docs/decisions.md, "Issue 23 — SPC statistics and the SPC page").
 */
export * from './types';
export { CONSTANTS_TABLE, constantsFor, c4Of } from './constants';
export { controlLimits, chartPoints, sigmaWithin, mean, stdDev } from './limits';
export { ruleViolations } from './rules';
export { capability } from './capability';
export type { Capability, Interval } from './capability';
export { histogram, normality, andersonDarling, andersonDarlingPValue } from './histogram';
export type { Histogram, HistogramBin, Normality } from './histogram';
export { checkSubgroups, checkSpec, subgroupSizeProblem, isVariableChart } from './validate';
export { normalCdf, normalQuantile, chiSquareQuantile } from './quantiles';
