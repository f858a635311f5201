import type { MachineMode } from '@takt/protocol';
import type { Pool } from 'pg';
import type { ModeEvent } from '../domain/modes';

/** Mode cards a station may scan (`action` of the scan), and the mode each one sets. */
export const MODE_ACTIONS: Readonly<Record<string, ModeEvent['mode']>> = {
  production: 'production',
  changeover: 'changeover',
  setup: 'changeover',
  cleaning: 'cleaning',
  maintenance: 'planned_maintenance',
  planned_maintenance: 'planned_maintenance',
  no_order: 'no_order',
};

export async function recordMode(
  pool: Pool,
  machine: string,
  ts: number,
  mode: ModeEvent['mode'],
  source: 'scan' | 'work_order' | 'api',
  detail: Record<string, unknown> | null = null,
): Promise<void> {
  await pool.query(
    'INSERT INTO machine_modes (machine_id, time, mode, source, detail) VALUES ($1, $2, $3, $4, $5)',
    [machine, new Date(ts), mode, source, detail === null ? null : JSON.stringify(detail)],
  );
}

/**
 * After an operation paused or completed: a machine driven by work orders with nothing
 * running any more has no order.
 */
export async function recordOrderEnded(pool: Pool, machine: string, ts: number): Promise<void> {
  const { rows } = await pool.query<{ order_driven: boolean; running: boolean }>(
    `SELECT m.order_driven,
            EXISTS (SELECT 1 FROM work_order_operations o WHERE o.machine_id = m.id AND o.status = 'running') AS running
       FROM machines m WHERE m.id = $1`,
    [machine],
  );
  if (rows[0]?.order_driven && !rows[0].running)
    await recordMode(pool, machine, ts, 'no_order', 'work_order');
}

/** The mode each machine is in now (the latest event), for boards. */
export async function currentModes(pool: Pool): Promise<Map<string, MachineMode>> {
  const { rows } = await pool.query<{ machine_id: string; mode: MachineMode }>(
    'SELECT DISTINCT ON (machine_id) machine_id, mode FROM machine_modes ORDER BY machine_id, time DESC, id DESC',
  );
  return new Map(rows.map((r) => [r.machine_id, r.mode]));
}
