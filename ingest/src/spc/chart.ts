import {
  ATTRIBUTE_CHARTS,
  renderMessage,
  SERVER_MESSAGES,
  valuesPerSubgroup,
  type CharacteristicConfig,
  type CharacteristicSummary,
  type Message,
  type MessageLang,
  type SpcChart,
} from '@takt/protocol';
import {
  capability,
  chartPoints,
  controlLimits,
  histogram,
  ruleViolations,
  sigmaWithin,
  SpcInputError,
  type ChartPoint,
  type Limits,
  type Subgroup,
  type Violation,
} from '../domain/spc';
import type { StoredBaseline, StoredSubgroup } from './store';

/** A baseline needs this many subgroups (docs/decisions.md "Issue 23 — measurements, limits and spc alerts"). */
export const MIN_BASELINE_SUBGROUPS = 20;

const isAttribute = (c: CharacteristicConfig) => ATTRIBUTE_CHARTS.includes(c.chart);

/** What `GET /api/spc` says of a characteristic. */
export function characteristicSummary(c: CharacteristicConfig): CharacteristicSummary {
  return {
    id: c.id,
    name: c.name,
    unit: c.unit ?? null,
    nominal: c.nominal ?? null,
    lsl: c.lsl ?? null,
    usl: c.usl ?? null,
    chart: c.chart,
    subgroupSize: c.subgroupSize ?? null,
    rules: c.rules,
    product: c.product ?? null,
    operation: c.operation ?? null,
    machine: c.machine ?? c.gauge?.machine ?? null,
    source: c.gauge ? 'gauge' : 'manual',
  };
}

/** The subgroups a chart of `c` can use: of its current size (a changed plan leaves older sizes off). */
export function usable(c: CharacteristicConfig, stored: readonly StoredSubgroup[]) {
  const size = valuesPerSubgroup(c);
  const needsN = c.chart === 'p' || c.chart === 'u';
  return stored.filter(
    (s) => s.values.length === size && (!needsN || (s.n ?? c.subgroupSize) !== undefined),
  );
}

export const domainSubgroups = (c: CharacteristicConfig, stored: readonly StoredSubgroup[]) =>
  stored.map((s): Subgroup => ({
    at: s.at,
    values: s.values,
    ...(isAttribute(c) ? { n: s.n ?? c.subgroupSize ?? 1 } : {}),
  }));

export const baselineLimits = (b: StoredBaseline): Limits => ({
  center: b.center,
  ucl: b.ucl,
  lcl: b.lcl,
  sigma: b.sigma,
  ...(b.rangeCenter !== null ? { rangeCenter: b.rangeCenter } : {}),
  ...(b.rangeUcl !== null ? { rangeUcl: b.rangeUcl } : {}),
  ...(b.rangeLcl !== null ? { rangeLcl: b.rangeLcl } : {}),
  ...(b.meanN !== null ? { meanN: b.meanN } : {}),
});

/** Phase I limits from the subgroups themselves; null where the statistics cannot make them. */
export function windowLimits(c: CharacteristicConfig, subgroups: readonly Subgroup[]) {
  try {
    return subgroups.length > 0 ? controlLimits(c.chart, subgroups) : null;
  } catch (error) {
    if (error instanceof SpcInputError) return null;
    throw error;
  }
}

/** The points, limits in force and violations of a run of subgroups. */
export function judged(
  c: CharacteristicConfig,
  stored: readonly StoredSubgroup[],
  baseline: StoredBaseline | null,
): {
  points: ChartPoint[];
  limits: Limits | null;
  violations: Violation[];
  used: StoredSubgroup[];
} {
  const used = usable(c, stored);
  const subgroups = domainSubgroups(c, used);
  const limits = baseline ? baselineLimits(baseline) : windowLimits(c, subgroups);
  const points = subgroups.length > 0 ? chartPoints(c.chart, subgroups, limits ?? undefined) : [];
  const violations = limits ? ruleViolations(points, limits, c.rules) : [];
  return { points, limits, violations, used };
}

function attempt<T>(f: () => T): T | null {
  try {
    return f();
  } catch (error) {
    if (error instanceof SpcInputError) return null;
    throw error;
  }
}

/** The answer of `GET /api/spc/:characteristic` (protocol/src/api/spc.ts `spcChartSchema`). */
export function spcChart(
  c: CharacteristicConfig,
  window: { from: number; to: number },
  stored: readonly StoredSubgroup[],
  baseline: StoredBaseline | null,
  lang: MessageLang,
  timeZone: string,
): SpcChart {
  const render = (m: Message) => renderMessage(SERVER_MESSAGES, m, lang, { timeZone });
  const { points, limits, violations, used } = judged(c, stored, baseline);
  const variable = !isAttribute(c) && c.lsl !== undefined && c.usl !== undefined;
  const values = variable ? used.flatMap((s) => s.values) : [];
  const lsl = c.lsl!;
  const usl = c.usl!;
  const subgroups = domainSubgroups(c, used);
  const sigma = variable ? attempt(() => sigmaWithin(c.chart, subgroups)) : null;
  const cap =
    variable && sigma !== null && Number.isFinite(sigma)
      ? attempt(() => capability(values, lsl, usl, sigma))
      : null;
  const hist = variable && values.length > 0 ? attempt(() => histogram(values, lsl, usl)) : null;
  let baselineWarning: Message | null = null;
  if (!baseline) {
    const params = { count: used.length, minimum: MIN_BASELINE_SUBGROUPS };
    if (!limits) baselineWarning = { key: 'spc.noLimits', params };
    else if (used.length < MIN_BASELINE_SUBGROUPS)
      baselineWarning = { key: 'spc.phaseIFew', params };
    else baselineWarning = { key: 'spc.phaseI', params };
  }
  const iso = (t: number) => new Date(t).toISOString();
  return {
    ...characteristicSummary(c),
    from: iso(window.from),
    to: iso(window.to),
    center: limits?.center ?? null,
    ucl: limits?.ucl ?? null,
    lcl: limits?.lcl ?? null,
    rangeCenter: limits?.rangeCenter ?? null,
    rangeUcl: limits?.rangeUcl ?? null,
    rangeLcl: limits?.rangeLcl ?? null,
    baseline: baseline
      ? {
          phase: 'II',
          from: iso(baseline.from),
          to: iso(baseline.to),
          subgroups: baseline.subgroups,
          frozenBy: baseline.frozenBy,
          frozenAt: iso(baseline.frozenAt),
          reason: baseline.reason,
        }
      : null,
    baselineWarning: baselineWarning ? render(baselineWarning) : null,
    points: points.map((p, i) => {
      const s = used[i]!;
      return {
        at: iso(p.at),
        value: p.value,
        range: p.range ?? null,
        values: s.values,
        n: isAttribute(c) ? (s.n ?? c.subgroupSize ?? null) : null,
        workOrder: s.workOrder,
        operation: s.operation,
        operator: s.operator,
        source: s.source,
      };
    }),
    violations: violations.map((v) => ({
      rule: v.rule,
      at: iso(v.at),
      index: v.index,
      message: render(violationMessage(v)),
    })),
    cp: cap?.cp ?? null,
    cpk: cap?.cpk ?? null,
    pp: cap?.pp ?? null,
    ppk: cap?.ppk ?? null,
    ci: {
      cp: cap?.ci.cp ?? null,
      cpk: cap?.ci.cpk ?? null,
      pp: cap?.ci.pp ?? null,
      ppk: cap?.ci.ppk ?? null,
    },
    histogram: {
      bins: hist?.bins ?? [],
      normality: hist ? { pValue: hist.normality.pValue, note: render(hist.normality.note) } : null,
    },
  };
}

export const violationMessage = (v: { rule: string; at: number }): Message => ({
  key: 'spc.violation',
  params: {
    rule: { message: { key: `spc.rule.${v.rule}` } },
    at: { time: new Date(v.at).toISOString() },
  },
});
