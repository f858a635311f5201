import type { Pool } from 'pg';

/**
 * When a machine's first data was stored (docs/production-model.md, "Not monitored"). The
 * writer keeps `machines.first_data_at`; rows that reached the tables another way (an
 * import, a hand-made fixture) are found once here and the answer is kept, so a window's
 * query costs one indexed read at most. Null: the machine has no data at all.
 */
export async function firstDataAt(
  pool: Pool,
  machineId: string,
  stored: Date | null,
): Promise<number | null> {
  if (stored) return stored.getTime();
  const { rows } = await pool.query<{ first: Date | null }>(
    `SELECT least((SELECT min(time) FROM machine_states WHERE machine_id = $1),
                  (SELECT min(time) FROM counts WHERE machine_id = $1),
                  (SELECT min(time) FROM samples WHERE machine_id = $1)) AS first`,
    [machineId],
  );
  const first = rows[0]?.first ?? null;
  if (first)
    await pool.query('UPDATE machines SET first_data_at = least(first_data_at, $2) WHERE id = $1', [
      machineId,
      first,
    ]);
  return first?.getTime() ?? null;
}
