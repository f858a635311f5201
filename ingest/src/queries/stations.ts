import type { PlantModel, ScanPattern } from '@takt/protocol';
import { STANDARD_STATION_CODES } from '@takt/protocol';
import type { Pool } from 'pg';

/**
 * Stations (docs/work-orders.md "Stations in the browser"): every machine of a plant model
 * is a station of itself, and the model's `stations.list` adds stations that are not
 * machines.
 */
export interface Station {
  id: string;
  name: string;
  machine: string | null;
  line: string | null;
  site: string;
  plant: PlantModel;
}

/** A station of the loaded plant models, or undefined. */
export async function findStation(pool: Pool, id: string): Promise<Station | undefined> {
  const { rows } = await pool.query<{ site_id: string; definition: PlantModel }>(
    'SELECT site_id, definition FROM plant_models ORDER BY site_id',
  );
  for (const { site_id: site, definition: plant } of rows) {
    for (const line of plant.lines) {
      const machine = line.machines.find((m) => m.id === id);
      if (machine) return { id, name: machine.name, machine: id, line: line.id, site, plant };
    }
    const listed = plant.stations?.list.find((s) => s.id === id);
    if (listed)
      return {
        id,
        name: listed.name,
        machine: listed.machine ?? null,
        line: listed.line ?? null,
        site,
        plant,
      };
  }
  return undefined;
}

/** What the station's scanned codes mean. */
export const stationCodes = (station: Station): readonly ScanPattern[] =>
  station.plant.stations?.codes ?? STANDARD_STATION_CODES;
