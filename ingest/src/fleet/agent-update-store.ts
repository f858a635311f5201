import type { AgentArch, GatewayUpdate, UpdateResult, UpdateStatus } from '@takt/protocol';
import { isFinalUpdateStep } from '@takt/protocol';
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../db/transaction';

/**
 * Rows of migration 050 (docs/decisions.md "Issue 25 — signed agent updates (server)"):
 * packages, the updates pushed to gateways and their steps. The rows are the audit trail.
 */
export interface PackageRow {
  sha256: string;
  version: string;
  arch: AgentArch;
  size: number;
  signature: string;
  uploadedBy: string | null;
  uploadedAt: Date;
}

const PACKAGE_COLUMNS = `sha256, version, arch, size::float8 AS size, signature,
  uploaded_by AS "uploadedBy", uploaded_at AS "uploadedAt"`;

/** The same bytes uploaded again keep their data; the newest upload's labels and signature win. */
export async function insertPackage(
  pool: Pool,
  p: Omit<PackageRow, 'uploadedAt'> & { data: Buffer },
): Promise<PackageRow> {
  const { rows } = await pool.query<PackageRow>(
    `INSERT INTO agent_packages (sha256, version, arch, size, signature, data, uploaded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (sha256) DO UPDATE SET version = EXCLUDED.version, arch = EXCLUDED.arch,
       signature = EXCLUDED.signature, uploaded_by = EXCLUDED.uploaded_by, uploaded_at = now()
     RETURNING ${PACKAGE_COLUMNS}`,
    [p.sha256, p.version, p.arch, p.size, p.signature, p.data, p.uploadedBy],
  );
  return rows[0]!;
}

export async function listPackages(pool: Pool): Promise<PackageRow[]> {
  const { rows } = await pool.query<PackageRow>(
    `SELECT ${PACKAGE_COLUMNS} FROM agent_packages ORDER BY uploaded_at DESC, sha256`,
  );
  return rows;
}

export async function readPackage(pool: Pool, sha256: string): Promise<PackageRow | undefined> {
  const { rows } = await pool.query<PackageRow>(
    `SELECT ${PACKAGE_COLUMNS} FROM agent_packages WHERE sha256 = $1`,
    [sha256],
  );
  return rows[0];
}

/** Bytes [offset, offset + length) of a package (the column is EXTERNAL: only those are read). */
export async function readPackageSlice(
  pool: Pool,
  sha256: string,
  offset: number,
  length: number,
): Promise<Buffer> {
  const { rows } = await pool.query<{ part: Buffer }>(
    'SELECT substring(data FROM $2 FOR $3) AS part FROM agent_packages WHERE sha256 = $1',
    [sha256, offset + 1, length],
  );
  return rows[0]?.part ?? Buffer.alloc(0);
}

/** A download token lives until its update ends, and 24 h at most. */
export const TOKEN_TTL_H = 24;

/** True when the token (its hash) is of a live update of exactly this package. */
export async function tokenAllows(pool: Pool, sha256: string, tokenHash: Buffer): Promise<boolean> {
  const { rowCount } = await pool.query(
    `SELECT 1 FROM gateway_updates
      WHERE token_hash = $1 AND package_sha256 = $2 AND status IN ('sent', 'running')
        AND requested_at > now() - make_interval(hours => $3)`,
    [tokenHash, sha256, TOKEN_TTL_H],
  );
  return (rowCount ?? 0) > 0;
}

export interface GatewayFacts {
  site: string;
  arch: string | null;
}

export async function gatewayFacts(pool: Pool, id: string): Promise<GatewayFacts | undefined> {
  const { rows } = await pool.query<GatewayFacts>(
    'SELECT site_id AS site, arch FROM gateways WHERE id = $1',
    [id],
  );
  return rows[0];
}

interface UpdateRow {
  id: number;
  gatewayId: string;
  site: string;
  sha256: string;
  version: string;
  arch: AgentArch;
  confirmWithinS: number;
  status: UpdateStatus;
  requestedBy: string | null;
  requestedAt: Date;
  finishedAt: Date | null;
}

const UPDATE_COLUMNS = `u.id::float8 AS id, u.gateway_id AS "gatewayId", u.site,
  u.package_sha256 AS sha256, u.version, p.arch, u.confirm_within_s AS "confirmWithinS", u.status,
  u.requested_by AS "requestedBy", u.requested_at AS "requestedAt", u.finished_at AS "finishedAt"`;

export type CreateOutcome =
  { ok: true; update: GatewayUpdate; superseded: number[] } | { ok: false; running: number };

/**
 * A new update of a gateway: refused while one is `running` (steps arriving, no final one);
 * one only `sent` (the gateway has not answered, e.g. offline) is superseded, as its retained
 * command is replaced by the new one.
 */
export async function createUpdate(
  pool: Pool,
  u: {
    gatewayId: string;
    site: string;
    sha256: string;
    version: string;
    tokenHash: Buffer;
    confirmWithinS: number;
    requestedBy: string | null;
  },
): Promise<CreateOutcome> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `gateway-update:${u.gatewayId}`,
    ]);
    const running = await client.query<{ id: number }>(
      `SELECT id::float8 AS id FROM gateway_updates WHERE gateway_id = $1 AND status = 'running'`,
      [u.gatewayId],
    );
    if (running.rows[0]) return { ok: false, running: running.rows[0].id };
    const superseded = await client.query<{ id: number }>(
      `UPDATE gateway_updates SET status = 'superseded', finished_at = now()
        WHERE gateway_id = $1 AND status = 'sent' RETURNING id::float8 AS id`,
      [u.gatewayId],
    );
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO gateway_updates (gateway_id, site, package_sha256, version, token_hash,
                                    confirm_within_s, requested_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::float8 AS id`,
      [u.gatewayId, u.site, u.sha256, u.version, u.tokenHash, u.confirmWithinS, u.requestedBy],
    );
    const update = (await readUpdates(client, u.gatewayId, rows[0]!.id))[0]!;
    return { ok: true, update, superseded: superseded.rows.map((r) => r.id) };
  });
}

/** A gateway's updates with their steps, newest first (or only update `id`). */
export async function readUpdates(
  db: Pool | PoolClient,
  gatewayId: string,
  id?: number,
): Promise<GatewayUpdate[]> {
  const { rows } = await db.query<UpdateRow>(
    `SELECT ${UPDATE_COLUMNS} FROM gateway_updates u JOIN agent_packages p ON p.sha256 = u.package_sha256
      WHERE u.gateway_id = $1 AND ($2::bigint IS NULL OR u.id = $2) ORDER BY u.id DESC LIMIT 50`,
    [gatewayId, id ?? null],
  );
  const steps = await db.query<{
    updateId: number;
    step: GatewayUpdate['steps'][number]['step'];
    ok: boolean;
    error: string | null;
    agentVersion: string | null;
    at: Date;
  }>(
    `SELECT update_id::float8 AS "updateId", step, ok, error, agent_version AS "agentVersion", at
       FROM gateway_update_steps WHERE update_id = ANY($1::bigint[]) ORDER BY id`,
    [rows.map((r) => r.id)],
  );
  return rows.map((r) => ({
    id: r.id,
    gatewayId: r.gatewayId,
    sha256: r.sha256,
    version: r.version,
    arch: r.arch,
    confirmWithinS: r.confirmWithinS,
    status: r.status,
    requestedBy: r.requestedBy,
    requestedAt: r.requestedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    steps: steps.rows
      .filter((s) => s.updateId === r.id)
      .map((s) => ({
        step: s.step,
        ok: s.ok,
        error: s.error,
        agentVersion: s.agentVersion,
        at: s.at.toISOString(),
      })),
  }));
}

export type StepOutcome =
  | { stored: false; why: 'unknown update' | 'duplicate' }
  | { stored: true; final: boolean; site: string; newest: boolean };

/**
 * One step a gateway reported; the update is looked up by its id AND the gateway of the topic,
 * so a gateway cannot write another's update. A final step ends the update (a superseded one
 * keeps its status). `newest`: no later update of that gateway exists, so its retained command
 * is this update's and may be cleared.
 */
export async function recordStep(
  pool: Pool,
  gatewayId: string,
  r: UpdateResult,
): Promise<StepOutcome> {
  return withTransaction(pool, async (client) => {
    const found = await client.query<{ site: string; status: UpdateStatus }>(
      'SELECT site, status FROM gateway_updates WHERE id = $1 AND gateway_id = $2 FOR UPDATE',
      [r.id, gatewayId],
    );
    const row = found.rows[0];
    if (!row) return { stored: false, why: 'unknown update' };
    const inserted = await client.query(
      `INSERT INTO gateway_update_steps (update_id, step, ok, error, agent_version, sent_at)
       VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0))
       ON CONFLICT (update_id, step) DO NOTHING`,
      [r.id, r.step, r.ok, r.error ?? null, r.agentVersion, r.ts],
    );
    if ((inserted.rowCount ?? 0) === 0) return { stored: false, why: 'duplicate' };
    const final = isFinalUpdateStep(r.step);
    if (final)
      await client.query(
        `UPDATE gateway_updates SET finished_at = coalesce(finished_at, now()),
           status = CASE WHEN status IN ('sent', 'running') THEN $2 ELSE status END
         WHERE id = $1`,
        [r.id, r.step],
      );
    else
      await client.query(
        `UPDATE gateway_updates SET status = 'running' WHERE id = $1 AND status = 'sent'`,
        [r.id],
      );
    const later = await client.query(
      'SELECT 1 FROM gateway_updates WHERE gateway_id = $1 AND id > $2 LIMIT 1',
      [gatewayId, r.id],
    );
    return { stored: true, final, site: row.site, newest: (later.rowCount ?? 0) === 0 };
  });
}

export interface OpenUpdate {
  id: number;
  gatewayId: string;
  site: string;
  sha256: string;
  version: string;
  arch: AgentArch;
  size: number;
  signature: string;
  confirmWithinS: number;
}

/**
 * Each gateway's newest update if no step came yet (`sent`, within the token's life), with a
 * new token: the token is kept only hashed, so a command sent again carries a fresh one and
 * the old link stops working. A `running` one is left alone: its gateway has the command and
 * may be downloading with the token it has.
 */
export async function reissueOpenUpdates(
  pool: Pool,
  newToken: () => { token: string; hash: Buffer },
): Promise<(OpenUpdate & { token: string })[]> {
  const { rows } = await pool.query<OpenUpdate>(
    `SELECT DISTINCT ON (u.gateway_id) u.id::float8 AS id, u.gateway_id AS "gatewayId", u.site,
            u.package_sha256 AS sha256, u.version, p.arch, p.size::float8 AS size, p.signature,
            u.confirm_within_s AS "confirmWithinS", u.status,
            u.requested_at > now() - make_interval(hours => $1) AS fresh
       FROM gateway_updates u JOIN agent_packages p ON p.sha256 = u.package_sha256
      ORDER BY u.gateway_id, u.id DESC`,
    [TOKEN_TTL_H],
  );
  const open: (OpenUpdate & { token: string })[] = [];
  for (const row of rows as (OpenUpdate & { status: UpdateStatus; fresh: boolean })[]) {
    if (row.status !== 'sent' || !row.fresh) continue;
    const { token, hash } = newToken();
    await pool.query('UPDATE gateway_updates SET token_hash = $2 WHERE id = $1', [row.id, hash]);
    open.push({
      id: row.id,
      gatewayId: row.gatewayId,
      site: row.site,
      sha256: row.sha256,
      version: row.version,
      arch: row.arch,
      size: row.size,
      signature: row.signature,
      confirmWithinS: row.confirmWithinS,
      token,
    });
  }
  return open;
}
