import type { PlantModel } from '@takt/protocol';
import type { Pool } from 'pg';

/** Upsert the plant model's sites, lines and machines (machines first seen on the wire keep working). */
export async function applyPlantModel(pool: Pool, plant: PlantModel): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO sites (id, name, time_zone) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, time_zone = EXCLUDED.time_zone`,
      [plant.site.id, plant.site.name, plant.site.timeZone],
    );
    const lines = plant.lines;
    await client.query(
      `INSERT INTO lines (id, site_id, name) SELECT u.id, $1, u.name FROM unnest($2::text[], $3::text[]) AS u(id, name)
       ON CONFLICT (id) DO UPDATE SET site_id = EXCLUDED.site_id, name = EXCLUDED.name`,
      [plant.site.id, lines.map((l) => l.id), lines.map((l) => l.name)],
    );
    const machines = lines.flatMap((l) => l.machines.map((m) => ({ ...m, line: l.id })));
    await client.query(
      `INSERT INTO machines (id, site_id, line_id, name)
       SELECT u.id, $1, u.line, u.name FROM unnest($2::text[], $3::text[], $4::text[]) AS u(id, line, name)
       ON CONFLICT (id) DO UPDATE SET site_id = EXCLUDED.site_id, line_id = EXCLUDED.line_id, name = EXCLUDED.name`,
      [
        plant.site.id,
        machines.map((m) => m.id),
        machines.map((m) => m.line),
        machines.map((m) => m.name),
      ],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
