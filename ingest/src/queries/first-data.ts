import type { Pool } from 'pg';

/**
 * When each machine's first data was stored (docs/production-model.md, "Not monitored"),
 * keyed by machine id; null: the machine has no data at all. The writer keeps
 * `machines.first_data_at`; for machines whose rows reached the tables another way (an
 * import, a hand-made fixture) it is found here in one query and kept in one update, so a
 * window's query costs no read at all once it is known.
 */
export async function firstDataAtMany(
  pool: Pool,
  machines: readonly { id: string; first_data_at: Date | null }[],
): Promise<Map<string, number | null>> {
  const out = new Map<string, number | null>();
  for (const m of machines) if (m.first_data_at) out.set(m.id, m.first_data_at.getTime());
  const missing = [...new Set(machines.filter((m) => !m.first_data_at).map((m) => m.id))];
  if (missing.length === 0) return out;
  const { rows } = await pool.query<{ id: string; first: Date | null }>(
    `SELECT u.id, least((SELECT min(time) FROM machine_states WHERE machine_id = u.id),
                        (SELECT min(time) FROM counts WHERE machine_id = u.id),
                        (SELECT min(time) FROM samples WHERE machine_id = u.id)) AS first
       FROM unnest($1::text[]) AS u(id)`,
    [missing],
  );
  for (const r of rows) out.set(r.id, r.first?.getTime() ?? null);
  const found = rows.filter((r) => r.first !== null);
  if (found.length > 0)
    await pool.query(
      `UPDATE machines SET first_data_at = least(machines.first_data_at, u.first)
         FROM unnest($1::text[], $2::timestamptz[]) AS u(id, first) WHERE machines.id = u.id`,
      [found.map((r) => r.id), found.map((r) => r.first)],
    );
  return out;
}
