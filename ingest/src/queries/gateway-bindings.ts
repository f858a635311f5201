import type { GatewayBinding } from '@takt/protocol';
import type { Pool } from 'pg';
import { withTransaction } from '../db/transaction';

interface BindingRow {
  machine_id: string;
  role: GatewayBinding['role'];
  gateway_id: string;
  bound_at: Date;
  source: GatewayBinding['source'];
}

const view = (r: BindingRow): GatewayBinding => ({
  machine: r.machine_id,
  role: r.role,
  gateway: r.gateway_id,
  since: r.bound_at.toISOString(),
  source: r.source,
});

/** Every machine's and station's gateway (migration 037), by machine. */
export async function readBindings(pool: Pool): Promise<GatewayBinding[]> {
  const { rows } = await pool.query<BindingRow>(
    `SELECT machine_id, role, gateway_id, bound_at, source FROM machine_gateways
      ORDER BY machine_id, role`,
  );
  return rows.map(view);
}

/**
 * Deletes a machine's first-seen bindings (of one role, or both): `released`. Declared ones
 * are left as they are (`declared`: the plant model owns them); `none` when the machine is
 * bound to no gateway.
 */
export async function releaseBindings(
  pool: Pool,
  machine: string,
  role: GatewayBinding['role'] | undefined,
): Promise<
  | { outcome: 'released'; bindings: GatewayBinding[] }
  | { outcome: 'declared'; bindings: GatewayBinding[] }
  | { outcome: 'none' }
> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<BindingRow>(
      `SELECT machine_id, role, gateway_id, bound_at, source FROM machine_gateways
        WHERE machine_id = $1 AND ($2::text IS NULL OR role = $2) ORDER BY role FOR UPDATE`,
      [machine, role ?? null],
    );
    if (rows.length === 0) return { outcome: 'none' };
    const seen = rows.filter((r) => r.source === 'first-seen');
    if (seen.length === 0) return { outcome: 'declared', bindings: rows.map(view) };
    await client.query(
      `DELETE FROM machine_gateways WHERE machine_id = $1 AND role = ANY($2::text[])`,
      [machine, seen.map((r) => r.role)],
    );
    return { outcome: 'released', bindings: seen.map(view) };
  });
}
