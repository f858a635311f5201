import type { PlantModel, ReasonNode } from '../plant/plant-model';
import { targetPerHour } from '../lib/count-target';

/** `GET /api/output` of one machine. */
export interface MachineOutput {
  machine: string;
  hours: { hourStart: string; actual: number; target: number | null }[];
}

export interface LineHour {
  hourStartMs: number;
  actual: number;
  target: number | null;
}

/**
 * A line's good pieces per hour: its machines' summed. A machine's hourly target is the one
 * its ideal cycle allows in the planned part of the hour (the API's), scaled to its
 * `outputPerHour` target where the plant sets one (as the plant board's count vs target).
 */
export function lineOutput(
  plant: PlantModel | null,
  outputs: readonly MachineOutput[],
): LineHour[] {
  const hours = new Map<number, LineHour>();
  for (const o of outputs) {
    const ideal = plant ? idealPerHour(plant, o.machine) : null;
    const wanted = plant ? targetPerHour(plant, o.machine) : null;
    const scale = ideal && wanted ? wanted / ideal : 1;
    for (const h of o.hours) {
      const at = Date.parse(h.hourStart);
      const row = hours.get(at) ?? { hourStartMs: at, actual: 0, target: null };
      row.actual += h.actual;
      if (h.target !== null) row.target = (row.target ?? 0) + h.target * scale;
      hours.set(at, row);
    }
  }
  return [...hours.values()].sort((a, b) => a.hourStartMs - b.hourStartMs);
}

function idealPerHour(plant: PlantModel, machineId: string): number | null {
  const machine = plant.lines.flatMap((l) => l.machines).find((m) => m.id === machineId);
  const product = (
    plant.products as { id: string; idealCycleMs: number; machines?: Record<string, number> }[]
  ).find((p) => p.id === machine?.product);
  const cycleMs = product?.machines?.[machineId] ?? product?.idealCycleMs;
  return cycleMs ? 3_600_000 / cycleMs : null;
}

/** A reason code's name from the plant's tree (as the plant wrote it), else the code. */
export function reasonName(plant: PlantModel | null, code: string): string {
  const walk = (nodes: readonly ReasonNode[]): string | null => {
    for (const n of nodes) {
      if (n.id === code) return n.name;
      const below = walk(n.children ?? []);
      if (below) return below;
    }
    return null;
  };
  return walk(plant?.reasons.downtime ?? []) ?? code;
}
