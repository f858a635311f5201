import type { GatewayBinding } from '@takt/protocol';
import type { Pool } from 'pg';
import { withTransaction } from '../db/transaction';

interface BindingRow {
  machine_id: string;
  gateway_id: string;
  bound_at: Date;
  source: GatewayBinding['source'];
}

const view = (r: BindingRow): GatewayBinding => ({
  machine: r.machine_id,
  gateway: r.gateway_id,
  since: r.bound_at.toISOString(),
  source: r.source,
});

/** Every machine's gateway (migration 037), by machine. */
export async function readBindings(pool: Pool): Promise<GatewayBinding[]> {
  const { rows } = await pool.query<BindingRow>(
    'SELECT machine_id, gateway_id, bound_at, source FROM machine_gateways ORDER BY machine_id',
  );
  return rows.map(view);
}

/**
 * Deletes a first-seen binding: `released`. A declared one is left as it is (`declared`:
 * the plant model owns it); `none` when the machine is bound to no gateway.
 */
export async function releaseBinding(
  pool: Pool,
  machine: string,
): Promise<{ outcome: 'released' | 'declared'; binding: GatewayBinding } | { outcome: 'none' }> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<BindingRow>(
      `SELECT machine_id, gateway_id, bound_at, source FROM machine_gateways
        WHERE machine_id = $1 FOR UPDATE`,
      [machine],
    );
    const row = rows[0];
    if (!row) return { outcome: 'none' };
    if (row.source === 'declared') return { outcome: 'declared', binding: view(row) };
    await client.query('DELETE FROM machine_gateways WHERE machine_id = $1', [machine]);
    return { outcome: 'released', binding: view(row) };
  });
}
