/**
 * The plant model as `GET /api/plant` serves it, as far as screens read it (the full schema is
 * protocol/src/config/plant.ts; the server checked it when it loaded the file).
 */
export interface PlantTargets {
  oee?: number;
  availability?: number;
  performance?: number;
  quality?: number;
  outputPerHour?: number;
}

export interface PlantMachine {
  id: string;
  name: string;
  product?: string;
  targets?: PlantTargets;
}

export interface PlantLine {
  id: string;
  name: string;
  machines: PlantMachine[];
  targets?: PlantTargets;
}

export interface PlantShift {
  id: string;
  name: string;
  start: string;
  end: string;
  days: string[];
  breaks: { start: string; end: string }[];
}

export interface ReasonNode {
  id: string;
  name: string;
  children?: ReasonNode[];
}

export interface PlantModel {
  site: { id: string; name: string; timeZone: string };
  lines: PlantLine[];
  products: { id: string; name: string; idealCycleMs: number }[];
  shifts: PlantShift[];
  holidays: string[];
  reasons: { downtime: ReasonNode[]; reject: { id: string; name: string }[] };
  targets: PlantTargets;
  alerts?: { rules: unknown[] };
}

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
