/**
 * The plant model as `GET /api/plant` serves it: protocol's type (protocol/src/config/plant.ts,
 * inferred from the schema the server checked the file with), with what screens do with it.
 */
import type { PlantModel, ReasonNode, ShiftConfig, Targets } from '@takt/protocol';

export type { PlantModel, ReasonNode };
export type PlantTargets = Targets;
export type PlantShift = ShiftConfig;
export type PlantLine = PlantModel['lines'][number];
export type PlantMachine = PlantLine['machines'][number];

/** A machine's targets: its own over its line's over the plant's. */
export function targetsFor(plant: PlantModel, machineId: string): PlantTargets {
  for (const line of plant.lines) {
    const machine = line.machines.find((m) => m.id === machineId);
    if (machine) return { ...plant.targets, ...line.targets, ...machine.targets };
  }
  return { ...plant.targets };
}

/** A line's targets: its own over the plant's. */
export function lineTargets(plant: PlantModel, lineId: string): PlantTargets {
  const line = plant.lines.find((l) => l.id === lineId);
  return { ...plant.targets, ...line?.targets };
}

/**
 * A downtime reason code's name in the plant's tree (as the plant wrote it), else the code.
 * `no_data` is ingest's own code for time without data: `null`, for the caller to label.
 */
export function reasonName(plant: PlantModel | null, code: string): string | null {
  if (code === NO_DATA_REASON) return null;
  const walk = (nodes: readonly ReasonNode[]): string | undefined => {
    for (const n of nodes) {
      if (n.id === code) return n.name;
      const below = walk(n.children ?? []);
      if (below) return below;
    }
    return undefined;
  };
  return walk(plant?.reasons?.downtime ?? []) ?? code;
}

/** The reason ingest gives time without data (ingest/src/domain/machine-time.ts). */
export const NO_DATA_REASON = 'no_data';
