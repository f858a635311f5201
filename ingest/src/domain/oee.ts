/**
 * OEE by ISO 22400-2. Pure functions over times and counts (STYLE 4). Aggregation sums
 * times and counts first and divides last: percentages are never averaged.
 */
export interface ProductCount {
  /** Ideal cycle time of this product on this machine, ms per piece; null when unknown. */
  idealCycleMs: number | null;
  /** All pieces made (good + reject): performance uses the total, so scrap is counted once. */
  total: number;
  good: number;
}

export interface OeeInput {
  /** Calendar time of the window (TEEP's denominator). */
  calendarMs: number;
  /** Planned busy time PBT: shift time minus planned stops. */
  plannedBusyMs: number;
  /** Actual production time APT: PBT minus unplanned stops. */
  runMs: number;
  products: readonly ProductCount[];
}

export interface Oee {
  calendarMs: number;
  plannedBusyMs: number;
  runMs: number;
  totalCount: number;
  goodCount: number;
  /** APT / PBT. */
  availability: number | null;
  /** Σ(ideal cycle × total) / APT; above 1 is reported as is and flagged, never clipped. */
  performance: number | null;
  performanceAbove100: boolean;
  /** Σ(ideal cycle × good) / Σ(ideal cycle × total): weighted when products differ. */
  quality: number | null;
  /** Plain good / total, beside the weighted quality. */
  yield: number | null;
  /** A × P × Q = Σ(ideal cycle × good) / PBT, exactly. */
  oee: number | null;
  /** OEE × PBT / calendar time. */
  teep: number | null;
}

const ratio = (num: number, den: number): number | null =>
  den > 0 && Number.isFinite(num) ? num / den : null;

/**
 * OEE of one window. Without an ideal cycle time for some product that was made, the
 * ratios that need it (performance, quality, OEE, TEEP) are null rather than guessed.
 */
export function computeOee(input: OeeInput): Oee {
  const made = input.products.filter((p) => p.total > 0);
  const cyclesKnown = made.every((p) => p.idealCycleMs !== null);
  const ideal = (count: (p: ProductCount) => number) =>
    cyclesKnown ? made.reduce((s, p) => s + p.idealCycleMs! * count(p), 0) : NaN;
  const idealTotalMs = ideal((p) => p.total);
  const idealGoodMs = ideal((p) => p.good);
  const totalCount = input.products.reduce((s, p) => s + p.total, 0);
  const goodCount = input.products.reduce((s, p) => s + p.good, 0);
  const performance = ratio(idealTotalMs, input.runMs);
  return {
    calendarMs: input.calendarMs,
    plannedBusyMs: input.plannedBusyMs,
    runMs: input.runMs,
    totalCount,
    goodCount,
    availability: ratio(input.runMs, input.plannedBusyMs),
    performance,
    performanceAbove100: performance !== null && performance > 1,
    quality: ratio(idealGoodMs, idealTotalMs),
    yield: ratio(goodCount, totalCount),
    oee: ratio(idealGoodMs, input.plannedBusyMs),
    teep: ratio(idealGoodMs, input.calendarMs),
  };
}

/** Several machines, shifts or windows as one: times and counts add up, then divide. */
export function combineOeeInputs(inputs: readonly OeeInput[]): OeeInput {
  return {
    calendarMs: inputs.reduce((s, i) => s + i.calendarMs, 0),
    plannedBusyMs: inputs.reduce((s, i) => s + i.plannedBusyMs, 0),
    runMs: inputs.reduce((s, i) => s + i.runMs, 0),
    products: inputs.flatMap((i) => i.products),
  };
}
