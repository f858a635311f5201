/**
 * Capacity from the data: per machine × product, the demonstrated rate (good pieces per run
 * hour) and availability (run time ÷ planned busy time, ISO 22400-2) over a trailing window,
 * with the spread of the effective rate across samples for the p10/p90 band. Too little
 * history falls back to the ideal cycle: at the machine's own measured performance and
 * availability when the machine has history with other products, else at the plant's
 * default OEE. Pure.
 */
import type { MachineCapacity, RunSample } from './types';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Band assumed around a rate nobody has measured: ±30 %. */
const IDEAL_SPREAD = 0.3;

export interface CapacitySettings {
  capacityWindowDays: number;
  defaultOee: number;
  minRunHours: number;
}

export interface CapacityProduct {
  id: string;
  idealCycleMs: number;
  /** Per-machine ideal cycle where it differs. */
  machines?: Readonly<Record<string, number>>;
}

interface Totals {
  runMs: number;
  workingMs: number;
  good: number;
  /** Good pieces × ideal cycle: the run time they would take at nameplate speed. */
  idealMs: number;
  samples: RunSample[];
}

const empty = (): Totals => ({ runMs: 0, workingMs: 0, good: 0, idealMs: 0, samples: [] });

/** The q-quantile of values weighted by weights (both non-empty, weights > 0). */
function weightedQuantile(points: readonly { value: number; weight: number }[], q: number): number {
  const sorted = [...points].sort((a, b) => a.value - b.value);
  const total = sorted.reduce((s, p) => s + p.weight, 0);
  let seen = 0;
  for (const p of sorted) {
    seen += p.weight;
    if (seen >= q * total) return p.value;
  }
  return sorted.at(-1)!.value;
}

function idealCycleMs(product: CapacityProduct, machine: string): number {
  return product.machines?.[machine] ?? product.idealCycleMs;
}

/**
 * Capacity of every machine for every product, from `samples` that began within the last
 * `capacityWindowDays` before `now`.
 */
export function estimateCapacity(args: {
  now: number;
  samples: readonly RunSample[];
  machines: readonly string[];
  products: readonly CapacityProduct[];
  settings: CapacitySettings;
}): MachineCapacity[] {
  const { now, settings } = args;
  const since = now - settings.capacityWindowDays * DAY_MS;
  const cycles = new Map(args.products.map((p) => [p.id, p]));
  const perMachine = new Map<string, Totals>();
  const perPair = new Map<string, Totals>();
  for (const s of args.samples) {
    if (s.from < since || s.from >= now || s.workingMs <= 0) continue;
    const product = cycles.get(s.product);
    const ideal = product ? s.good * idealCycleMs(product, s.machine) : 0;
    for (const [map, key] of [
      [perMachine, s.machine],
      [perPair, `${s.machine}\u0000${s.product}`],
    ] as const) {
      const t = map.get(key) ?? empty();
      t.runMs += s.runMs;
      t.workingMs += s.workingMs;
      t.good += s.good;
      t.idealMs += product ? ideal : 0;
      t.samples.push(s);
      map.set(key, t);
    }
  }
  const minRunMs = settings.minRunHours * HOUR_MS;
  const out: MachineCapacity[] = [];
  for (const machine of args.machines) {
    const m = perMachine.get(machine);
    for (const product of args.products) {
      const idealRate = HOUR_MS / idealCycleMs(product, machine);
      const pair = perPair.get(`${machine}\u0000${product.id}`);
      if (pair && pair.runMs > 0 && pair.runMs >= minRunMs && pair.good > 0)
        out.push(measured(machine, product.id, pair));
      else if (m && m.runMs > 0 && m.runMs >= minRunMs && m.idealMs > 0) {
        // Its performance × quality (ideal time of the good pieces ÷ run time) on other products.
        const rate = idealRate * Math.min(1, m.idealMs / m.runMs);
        out.push(banded(machine, product.id, rate, Math.min(1, m.runMs / m.workingMs)));
      } else out.push(banded(machine, product.id, idealRate * settings.defaultOee, 1));
    }
  }
  return out;
}

/** Rate and availability as demonstrated; the band from the samples' effective rates. */
function measured(machine: string, product: string, t: Totals): MachineCapacity {
  const ratePerHour = t.good / (t.runMs / HOUR_MS);
  const availability = Math.min(1, t.runMs / t.workingMs);
  // Effective rate (good per working hour) of each sample, weighted by its working time;
  // divided by the availability, it is the rate that gives that effective rate in the chain.
  const points = t.samples.map((s) => ({
    value: s.good / (s.workingMs / HOUR_MS),
    weight: s.workingMs,
  }));
  return {
    machine,
    product,
    ratePerHour,
    availability,
    rateP10: Math.min(ratePerHour, weightedQuantile(points, 0.1) / availability),
    rateP90: Math.max(ratePerHour, weightedQuantile(points, 0.9) / availability),
    source: 'measured',
  };
}

function banded(
  machine: string,
  product: string,
  ratePerHour: number,
  availability: number,
): MachineCapacity {
  return {
    machine,
    product,
    ratePerHour,
    availability,
    rateP10: ratePerHour * (1 - IDEAL_SPREAD),
    rateP90: ratePerHour * (1 + IDEAL_SPREAD),
    source: 'ideal',
  };
}
