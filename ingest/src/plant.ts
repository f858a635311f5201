import type { PlantModel } from '@takt/protocol';
import type { Pool } from 'pg';
import { withTransaction } from './db/transaction';
import { declareBindings } from './pipeline/write-bindings';

/** Upsert the plant model's sites, lines and machines (machines first seen on the wire keep working). */
export async function applyPlantModel(pool: Pool, plant: PlantModel): Promise<void> {
  await withTransaction(pool, async (client) => {
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
    await client.query(
      `INSERT INTO products (id, name, ideal_cycle_ms)
       SELECT * FROM unnest($1::text[], $2::text[], $3::float8[])
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, ideal_cycle_ms = EXCLUDED.ideal_cycle_ms`,
      [
        plant.products.map((p) => p.id),
        plant.products.map((p) => p.name),
        plant.products.map((p) => p.idealCycleMs),
      ],
    );
    const cycles = plant.products.flatMap((p) =>
      Object.entries(p.machines).map(([machine, ms]) => ({ product: p.id, machine, ms })),
    );
    await client.query('DELETE FROM product_machine_cycles WHERE product_id = ANY($1::text[])', [
      plant.products.map((p) => p.id),
    ]);
    await client.query(
      `INSERT INTO product_machine_cycles (product_id, machine_id, ideal_cycle_ms)
       SELECT * FROM unnest($1::text[], $2::text[], $3::float8[])`,
      [cycles.map((c) => c.product), cycles.map((c) => c.machine), cycles.map((c) => c.ms)],
    );
    const machines = lines.flatMap((l) => l.machines.map((m) => ({ ...m, line: l.id })));
    await client.query(
      `INSERT INTO machines (id, site_id, line_id, name, product_id, microstop_threshold_ms, order_driven)
       SELECT u.id, $1, u.line, u.name, u.product, u.threshold, u.order_driven
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int4[], $7::bool[])
           AS u(id, line, name, product, threshold, order_driven)
       ON CONFLICT (id) DO UPDATE SET site_id = EXCLUDED.site_id, line_id = EXCLUDED.line_id, name = EXCLUDED.name,
         product_id = EXCLUDED.product_id, microstop_threshold_ms = EXCLUDED.microstop_threshold_ms,
         order_driven = EXCLUDED.order_driven`,
      [
        plant.site.id,
        machines.map((m) => m.id),
        machines.map((m) => m.line),
        machines.map((m) => m.name),
        machines.map((m) => m.product ?? null),
        machines.map((m) => Math.round(m.microstopThresholdS * 1000)),
        machines.map((m) => m.orderDriven),
      ],
    );
    await declareBindings(client, plant);
    // The calendar is the model's: shifts no longer declared are gone.
    await client.query('DELETE FROM shifts WHERE site_id = $1', [plant.site.id]);
    await client.query(
      `INSERT INTO shifts (id, site_id, name, definition)
       SELECT u.id, $1, u.name, u.def FROM unnest($2::text[], $3::text[], $4::jsonb[]) AS u(id, name, def)`,
      [
        plant.site.id,
        plant.shifts.map((s) => s.id),
        plant.shifts.map((s) => s.name),
        plant.shifts.map((s) => JSON.stringify(s)),
      ],
    );
    await client.query(
      `INSERT INTO plant_models (site_id, definition) VALUES ($1, $2)
       ON CONFLICT (site_id) DO UPDATE SET definition = EXCLUDED.definition, loaded_at = now()`,
      [plant.site.id, JSON.stringify(plant)],
    );
  });
}

/** The plant model a site was loaded with (reason tree, targets, modes), or null. */
export async function loadPlantModel(
  pool: Pool,
  siteId: string | null,
): Promise<PlantModel | null> {
  if (siteId === null) return null;
  const { rows } = await pool.query<{ definition: PlantModel }>(
    'SELECT definition FROM plant_models WHERE site_id = $1',
    [siteId],
  );
  return rows[0]?.definition ?? null;
}
