import type { MachineSnapshot } from '@takt/protocol/live';
import type { TileFigures } from '../components/MachineTile';
import { countVsTarget, plannedSoFarMs, shiftGoodNow, targetPerHour } from '../lib/count-target';
import type { PlantModel } from '../plant/plant-model';
import type { ShiftOee } from './shift-oee';

/**
 * Each machine's tile figures: the shift's OEE as polled, the good count kept live (the
 * live count since midnight plus the server's offset) and the target of the planned time so far.
 */
export function tileFigures(
  machines: readonly MachineSnapshot[],
  shift: ShiftOee,
  fetchedAtMs: number,
  nowMs: number,
  plant: PlantModel | null,
  planned: ReadonlySet<string>,
): Map<string, TileFigures> {
  const byId = new Map(shift.machines.map((m) => [m.id, m] as const));
  const out = new Map<string, TileFigures>();
  for (const machine of machines) {
    const server = byId.get(machine.id);
    if (!server) continue;
    const good = shiftGoodNow(machine.counts, { ...server, countsSince: shift.countsSince });
    const perHour = plant ? targetPerHour(plant, machine.id) : null;
    const plannedMs = plannedSoFarMs({
      plannedBusyMs: server.plannedBusyMs,
      fetchedAtMs,
      nowMs,
      inShift: shift.inShift,
      inPlannedStop: !!machine.mode && planned.has(machine.mode),
    });
    const vs = perHour === null ? null : countVsTarget(good, perHour, plannedMs);
    out.set(machine.id, {
      good,
      target: vs?.target ?? null,
      status: vs?.status ?? null,
      oee: server.oee,
      availability: server.availability,
      performance: server.performance,
      quality: server.quality,
    });
  }
  return out;
}
