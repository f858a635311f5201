import type { GatewayConfigVersion } from '@takt/protocol';
import type { Pool } from 'pg';

/** Rows of gateway_configs (migration 049): one per pushed version, the audit trail. */
export interface GatewayConfigRow {
  gatewayId: string;
  version: number;
  yaml: string;
  sha256: string;
  createdBy: string | null;
  createdAt: Date;
  status: 'pending' | 'applied' | 'refused' | 'superseded';
  error: string | null;
  resultAt: Date | null;
}

const COLUMNS = `gateway_id AS "gatewayId", version, yaml, sha256, created_by AS "createdBy",
  created_at AS "createdAt", status, error, result_at AS "resultAt"`;

export async function readGatewayConfigs(
  pool: Pool,
  gatewayId: string,
): Promise<GatewayConfigRow[]> {
  const { rows } = await pool.query<GatewayConfigRow>(
    `SELECT ${COLUMNS} FROM gateway_configs WHERE gateway_id = $1 ORDER BY version DESC`,
    [gatewayId],
  );
  return rows;
}

/** The next version, stored pending; older pending versions become superseded. */
export async function insertGatewayConfig(
  pool: Pool,
  row: { gatewayId: string; yaml: string; sha256: string; createdBy: string | null },
): Promise<GatewayConfigRow> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // One push at a time per gateway: the version numbers have no gaps and no duplicates.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `gateway-config:${row.gatewayId}`,
    ]);
    await client.query(
      `UPDATE gateway_configs SET status = 'superseded' WHERE gateway_id = $1 AND status = 'pending'`,
      [row.gatewayId],
    );
    const { rows } = await client.query<GatewayConfigRow>(
      `INSERT INTO gateway_configs (gateway_id, version, yaml, sha256, created_by)
       SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4 FROM gateway_configs WHERE gateway_id = $1
       RETURNING ${COLUMNS}`,
      [row.gatewayId, row.yaml, row.sha256, row.createdBy],
    );
    await client.query('COMMIT');
    return rows[0]!;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** The gateway's answer; a version answered once keeps its first answer. */
export async function recordGatewayConfigResult(
  pool: Pool,
  r: { gatewayId: string; version: number; status: 'applied' | 'refused'; error: string | null },
): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE gateway_configs SET status = $3, error = $4, result_at = now()
     WHERE gateway_id = $1 AND version = $2 AND status IN ('pending', 'superseded')`,
    [r.gatewayId, r.version, r.status, r.error],
  );
  return (rowCount ?? 0) > 0;
}

/** Each gateway's newest version if it is still pending (sent again when ingest starts). */
export async function pendingGatewayConfigs(pool: Pool): Promise<GatewayConfigRow[]> {
  const { rows } = await pool.query<GatewayConfigRow>(
    `SELECT DISTINCT ON (gateway_id) ${COLUMNS} FROM gateway_configs
     ORDER BY gateway_id, version DESC`,
  );
  return rows.filter((r) => r.status === 'pending');
}

export function versionView(row: GatewayConfigRow): GatewayConfigVersion {
  return {
    version: row.version,
    sha256: row.sha256,
    status: row.status,
    error: row.error,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    resultAt: row.resultAt?.toISOString() ?? null,
  };
}
