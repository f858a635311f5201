import type { MachineMode } from '@takt/protocol';
import type { Pool } from 'pg';

/** The mode each machine is in now (the latest event), for boards. */
export async function currentModes(pool: Pool): Promise<Map<string, MachineMode>> {
  const { rows } = await pool.query<{ machine_id: string; mode: MachineMode }>(
    'SELECT DISTINCT ON (machine_id) machine_id, mode FROM machine_modes ORDER BY machine_id, time DESC, id DESC',
  );
  return new Map(rows.map((r) => [r.machine_id, r.mode]));
}
