/**
 * OEE by ISO 22400-2. Pure functions over times and counts (docs/architecture.md "Conventions" 4). Aggregation sums
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

/**
 * The six big losses in time, so that they add up with the fully productive time to the
 * planned busy time: breakdowns + setups (availability), small stops + reduced speed
 * (performance), startup + production rejects (quality, ideal cycle × pieces). Null when an
 * ideal cycle time is unknown for something made.
 */
export interface SixBigLosses {
  breakdownsMs: number;
  setupsMs: number;
  smallStopsMs: number;
  reducedSpeedMs: number;
  startupRejectsMs: number;
  productionRejectsMs: number;
  /** Σ(ideal cycle × good): what OEE calls fully productive time. */
  fullyProductiveMs: number;
}

export interface LossInput {
  downMs: number;
  setupMs: number;
  runMs: number;
  microstopMs: number;
  /** Per product: `startupRejects` of `total − good` came during or just after a changeover. */
  products: readonly (ProductCount & { startupRejects?: number })[];
}

/**
 * The six big losses of one window. They and the fully productive time add up to planned
 * busy time whatever the data: when more ideal time was made than the machine ran (P above
 * 100 %, flagged on the OEE), the quality losses and fully productive time are scaled down
 * to the run time left, because a time bar cannot hold more than the time there was
 * (docs/production-model.md, "The six big losses").
 */
export function sixBigLosses(input: LossInput): SixBigLosses | null {
  const made = input.products.filter((p) => p.total > 0);
  if (!made.every((p) => p.idealCycleMs !== null)) return null;
  const sum = (f: (p: (typeof made)[number]) => number) =>
    made.reduce((s, p) => s + p.idealCycleMs! * f(p), 0);
  const idealTotalMs = sum((p) => p.total);
  const ranMs = input.runMs - input.microstopMs;
  const scale = idealTotalMs > ranMs ? ranMs / idealTotalMs : 1;
  const startupRejectsMs = scale * sum((p) => Math.min(p.startupRejects ?? 0, p.total - p.good));
  const rejectsMs = scale * sum((p) => p.total - p.good);
  return {
    breakdownsMs: input.downMs - input.setupMs,
    setupsMs: input.setupMs,
    smallStopsMs: input.microstopMs,
    // Whatever run time is not small stops nor ideal production.
    reducedSpeedMs: Math.max(0, ranMs - idealTotalMs),
    startupRejectsMs,
    productionRejectsMs: rejectsMs - startupRejectsMs,
    fullyProductiveMs: scale === 1 ? sum((p) => p.good) : ranMs - rejectsMs,
  };
}

/** Losses of several machines or windows: they are times, so they add. */
export function addLosses(all: readonly (SixBigLosses | null)[]): SixBigLosses | null {
  if (all.length === 0 || all.some((l) => l === null)) return null;
  const keys = Object.keys(all[0]!) as (keyof SixBigLosses)[];
  return Object.fromEntries(
    keys.map((k) => [k, all.reduce((s, l) => s + l![k], 0)]),
  ) as unknown as SixBigLosses;
}
