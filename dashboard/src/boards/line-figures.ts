import type { api, ApiResponse } from '@takt/protocol/api';
import type { PlantModel } from '../plant/plant-model';
import { targetPerHour } from '../lib/count-target';

/** `GET /api/output` of one machine (protocol's answer), with the machine it was asked for. */
export type MachineOutput = Pick<ApiResponse<typeof api.oee.output>, 'hours'> & { machine: string };

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

export { reasonName } from '../plant/plant-model';

/**
 * The longest `n` stops by name: rows that read the same on screen (two codes of "no data")
 * are one row, their times and stops added.
 */
export function topStops<T extends { name: string; durationMs: number; stops: number }>(
  rows: readonly T[],
  n: number,
): { name: string; durationMs: number; stops: number }[] {
  const byName = new Map<string, { name: string; durationMs: number; stops: number }>();
  for (const r of rows) {
    const row = byName.get(r.name) ?? { name: r.name, durationMs: 0, stops: 0 };
    row.durationMs += r.durationMs;
    row.stops += r.stops;
    byName.set(r.name, row);
  }
  return [...byName.values()].sort((a, b) => b.durationMs - a.durationMs).slice(0, n);
}
