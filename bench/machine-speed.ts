import { LatencyHistogram, percentile } from './plant-stats';

/**
 * How fast the machine itself runs while the plant bench measures (bench/plant.ts): the CPU time
 * of one fixed piece of work, taken once a second and compared with the same work on the quiet
 * machine at the bench's start. On a shared machine some minutes run the same work 35–85 %
 * slower in CPU time (other guests, a busy sibling thread), and in those minutes every process
 * of the bench needs more CPU at once, the publisher's fixed work too; the screen p99 of a run
 * comes from them (docs/decisions.md "Issue 22 — the tenth pass"). CPU time, not wall time, so
 * waiting for a core does not count as slowness.
 */
const UNIT = new Float64Array(4096);

/** The fixed piece of work: about 1.6 ms of one core on this machine when it is quiet. */
export function fixedWork(): number {
  let x = 0;
  for (let k = 0; k < 400; k++)
    for (let i = 0; i < UNIT.length; i++) {
      UNIT[i] = UNIT[i]! * 1.000001 + i;
      x += UNIT[i]!;
    }
  return x;
}

/** CPU ms of one `fixedWork`. */
export function unitCpuMs(): number {
  const c0 = process.cpuUsage();
  fixedWork();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

const median = (xs: readonly number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

/** The median unit's CPU time over the quiet machine's (1 = full speed), 2 decimals; null without samples. */
export function slowdownOf(samples: readonly number[], baselineMs: number): number | null {
  const m = median(samples);
  return m === null ? null : Math.round((m / baselineMs) * 100) / 100;
}

/** A window counts as run at full speed up to this slowdown (quiet windows measured 1.00–1.04). */
export const FULL_SPEED = 1.15;

/** Samples the unit's CPU time once a second; each window's slowdown against the quiet baseline. */
export class MachineSpeed {
  private samples: number[] = [];
  private timer: NodeJS.Timeout | undefined;

  private constructor(readonly baselineMs: number) {}

  /** The baseline: the median of `units` units after a few to warm up, on the quiet machine. */
  static calibrate(units = 25): MachineSpeed {
    for (let i = 0; i < 10; i++) fixedWork();
    return new MachineSpeed(median(Array.from({ length: units }, unitCpuMs))!);
  }

  start(everyMs = 1000): void {
    this.timer = setInterval(() => this.samples.push(unitCpuMs()), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The slowdown since the last call. */
  takeWindow(): number | null {
    const slowdown = slowdownOf(this.samples, this.baselineMs);
    this.samples = [];
    return slowdown;
  }
}

/** The screen latencies of the windows run at full speed, merged, and how many windows that was. */
export class FullSpeedWindows {
  private readonly screen = new LatencyHistogram();
  private readonly slowdowns: number[] = [];

  add(slowdown: number | null, screen: LatencyHistogram): void {
    if (slowdown === null) return;
    this.slowdowns.push(slowdown);
    if (slowdown <= FULL_SPEED) this.screen.merge(screen);
  }

  /** For bench/results/plant.json: the slowdown's median and maximum over the windows. */
  figures() {
    const sorted = [...this.slowdowns].sort((a, b) => a - b);
    return {
      fullSpeedWindows: sorted.filter((s) => s <= FULL_SPEED).length,
      windows: sorted.length,
      screenP99MsAtFullSpeed: this.screen.percentile(99),
      machineSlowdown: { p50: percentile(sorted, 50), max: sorted.at(-1) ?? null },
    };
  }
}
