/**
 * Count against target on a plant board tile (issue 8). The target is pieces so far: the
 * machine's good-pieces-per-hour target times the planned busy time elapsed in the shift
 * (ISO 22400-2 PBT: breaks, planned stops and time without a shift do not count). Without an
 * `outputPerHour` target it is the rate its ideal cycle time allows (the `/api/output` target).
 */
import type { PlantModel } from '../plant/plant-model';
import { targetsFor } from '../plant/plant-model';

const HOUR_MS = 3_600_000;

interface ProductCycles {
  id: string;
  idealCycleMs: number;
  machines?: Record<string, number>;
}

/** Good pieces per planned hour this machine should make; null when the plant gives no way to say. */
export function targetPerHour(plant: PlantModel, machineId: string): number | null {
  const own = targetsFor(plant, machineId).outputPerHour;
  if (own !== undefined) return own;
  const machine = plant.lines.flatMap((l) => l.machines).find((m) => m.id === machineId);
  const product = (plant.products as ProductCycles[]).find((p) => p.id === machine?.product);
  const cycleMs = product?.machines?.[machineId] ?? product?.idealCycleMs;
  return cycleMs ? HOUR_MS / cycleMs : null;
}

/**
 * Planned busy time so far: the server's figure at its fetch, plus the time since while the
 * shift runs and the machine is not in a planned stop (the figure is polled once a minute;
 * this keeps the target moving between polls).
 */
export function plannedSoFarMs(o: {
  plannedBusyMs: number;
  fetchedAtMs: number;
  nowMs: number;
  inShift: boolean;
  inPlannedStop: boolean;
}): number {
  const since = o.inShift && !o.inPlannedStop ? Math.max(0, o.nowMs - o.fetchedAtMs) : 0;
  return o.plannedBusyMs + since;
}

/**
 * Good pieces in the shift now, from the live count (since the plant's midnight, pushed
 * over socket.io) and the server's offset (pieces between the shift start and that
 * midnight). When the live count no longer starts at the midnight the offset was for (the
 * day rolled over since the last poll), the server's own shift count until the next poll.
 */
export function shiftGoodNow(
  live: { good: number; since: string },
  server: { liveOffset: number; countsSince: string; goodCount: number },
): number {
  return Date.parse(live.since) === Date.parse(server.countsSince)
    ? Math.max(0, live.good + server.liveOffset)
    : server.goodCount;
}

export interface CountVsTarget {
  good: number;
  target: number;
  /** good − target: negative when behind. */
  diff: number;
  status: 'ahead' | 'on' | 'behind';
}

/** Within 5 % of target (or 1 piece) is on target. */
const ON_TARGET = 0.05;

export function countVsTarget(good: number, perHour: number, plannedMs: number): CountVsTarget {
  const target = Math.floor((perHour * plannedMs) / HOUR_MS);
  const diff = good - target;
  const slack = Math.max(1, target * ON_TARGET);
  const status = diff < -slack ? 'behind' : diff > slack ? 'ahead' : 'on';
  return { good, target, diff, status };
}
