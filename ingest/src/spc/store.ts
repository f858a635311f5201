import type { MeasurementSource } from '@takt/protocol';
import type { Pool, PoolClient } from 'pg';

type Db = Pool | PoolClient;

/** One stored subgroup (migration 045 `spc_subgroups`). */
export interface StoredSubgroup {
  id: number;
  characteristic: string;
  at: number;
  values: number[];
  n: number | null;
  workOrder: string | null;
  operation: string | null;
  operator: string | null;
  source: MeasurementSource;
  dedupeKey: string | null;
}

export interface NewSubgroup {
  characteristic: string;
  at: number;
  values: readonly number[];
  n?: number | null;
  workOrder?: string | null;
  operation?: string | null;
  operator?: string | null;
  source: MeasurementSource;
  dedupeKey?: string | null;
}

interface SubgroupRow {
  id: string;
  characteristic: string;
  at: Date;
  values: number[];
  n: number | null;
  work_order: string | null;
  operation: string | null;
  operator: string | null;
  source: MeasurementSource;
  dedupe_key: string | null;
}

const COLUMNS =
  'id, characteristic, at, "values", n, work_order, operation, operator, source, dedupe_key';

const subgroupOf = (r: SubgroupRow): StoredSubgroup => ({
  id: Number(r.id),
  characteristic: r.characteristic,
  at: r.at.getTime(),
  values: r.values.map(Number),
  n: r.n,
  workOrder: r.work_order,
  operation: r.operation,
  operator: r.operator,
  source: r.source,
  dedupeKey: r.dedupe_key,
});

/** Stores a subgroup; null when its dedupe key is stored already (a replay). */
export async function insertSubgroup(db: Db, s: NewSubgroup): Promise<StoredSubgroup | null> {
  const { rows } = await db.query<SubgroupRow>(
    `INSERT INTO spc_subgroups (characteristic, at, "values", n, work_order, operation, operator, source, dedupe_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (characteristic, dedupe_key) DO NOTHING
     RETURNING ${COLUMNS}`,
    [
      s.characteristic,
      new Date(s.at),
      s.values,
      s.n ?? null,
      s.workOrder ?? null,
      s.operation ?? null,
      s.operator ?? null,
      s.source,
      s.dedupeKey ?? null,
    ],
  );
  return rows[0] ? subgroupOf(rows[0]) : null;
}

/** A characteristic's subgroups in [from, to), oldest first. */
export async function subgroupsBetween(
  db: Db,
  characteristic: string,
  from: number,
  to: number,
  limit = 5000,
): Promise<StoredSubgroup[]> {
  const { rows } = await db.query<SubgroupRow>(
    `SELECT * FROM (
       SELECT ${COLUMNS} FROM spc_subgroups
        WHERE characteristic = $1 AND at >= $2 AND at < $3
        ORDER BY at DESC, id DESC LIMIT $4) s
     ORDER BY at, id`,
    [characteristic, new Date(from), new Date(to), limit],
  );
  return rows.map(subgroupOf);
}

/** A characteristic's newest `limit` subgroups up to `to` (inclusive), oldest first. */
export async function latestSubgroups(
  db: Db,
  characteristic: string,
  to: number,
  limit: number,
): Promise<StoredSubgroup[]> {
  const { rows } = await db.query<SubgroupRow>(
    `SELECT * FROM (
       SELECT ${COLUMNS} FROM spc_subgroups WHERE characteristic = $1 AND at <= $2
        ORDER BY at DESC, id DESC LIMIT $3) s
     ORDER BY at, id`,
    [characteristic, new Date(to), limit],
  );
  return rows.map(subgroupOf);
}

/** The newest subgroup per characteristic, ms. */
export async function lastSubgroupTimes(db: Db): Promise<Map<string, number>> {
  const { rows } = await db.query<{ characteristic: string; at: Date }>(
    'SELECT characteristic, max(at) AS at FROM spc_subgroups GROUP BY characteristic',
  );
  return new Map(rows.map((r) => [r.characteristic, r.at.getTime()]));
}

/** Frozen control limits (migration 045 `spc_baselines`). */
export interface StoredBaseline {
  id: number;
  characteristic: string;
  from: number;
  to: number;
  subgroups: number;
  center: number;
  ucl: number;
  lcl: number;
  sigma: number;
  rangeCenter: number | null;
  rangeUcl: number | null;
  rangeLcl: number | null;
  meanN: number | null;
  frozenBy: string | null;
  frozenAt: number;
  reason: string;
}

interface BaselineRow {
  id: string;
  characteristic: string;
  window_from: Date;
  window_to: Date;
  subgroups: number;
  center: number;
  ucl: number;
  lcl: number;
  sigma: number;
  range_center: number | null;
  range_ucl: number | null;
  range_lcl: number | null;
  mean_n: number | null;
  frozen_by: string | null;
  frozen_at: Date;
  reason: string;
}

const baselineOf = (r: BaselineRow): StoredBaseline => ({
  id: Number(r.id),
  characteristic: r.characteristic,
  from: r.window_from.getTime(),
  to: r.window_to.getTime(),
  subgroups: r.subgroups,
  center: r.center,
  ucl: r.ucl,
  lcl: r.lcl,
  sigma: r.sigma,
  rangeCenter: r.range_center,
  rangeUcl: r.range_ucl,
  rangeLcl: r.range_lcl,
  meanN: r.mean_n,
  frozenBy: r.frozen_by,
  frozenAt: r.frozen_at.getTime(),
  reason: r.reason,
});

/** The limits in force: the newest baseline (phase II), or null (phase I). */
export async function latestBaseline(
  db: Db,
  characteristic: string,
): Promise<StoredBaseline | null> {
  const { rows } = await db.query<BaselineRow>(
    `SELECT * FROM spc_baselines WHERE characteristic = $1
      ORDER BY frozen_at DESC, id DESC LIMIT 1`,
    [characteristic],
  );
  return rows[0] ? baselineOf(rows[0]) : null;
}

export async function insertBaseline(
  db: Db,
  b: Omit<StoredBaseline, 'id' | 'frozenAt'> & { frozenAt: number },
): Promise<StoredBaseline> {
  const { rows } = await db.query<BaselineRow>(
    `INSERT INTO spc_baselines (characteristic, window_from, window_to, subgroups, center, ucl, lcl,
       sigma, range_center, range_ucl, range_lcl, mean_n, frozen_by, frozen_at, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING *`,
    [
      b.characteristic,
      new Date(b.from),
      new Date(b.to),
      b.subgroups,
      b.center,
      b.ucl,
      b.lcl,
      b.sigma,
      b.rangeCenter,
      b.rangeUcl,
      b.rangeLcl,
      b.meanN,
      b.frozenBy,
      new Date(b.frozenAt),
      b.reason,
    ],
  );
  return baselineOf(rows[0]!);
}

/** The operation that ran on a machine at a time (for a gauge's subgroups), if any. */
export async function operationAt(
  db: Db,
  machine: string,
  at: number,
): Promise<{ workOrder: string; operation: string } | null> {
  const { rows } = await db.query<{ work_order_id: string; id: string }>(
    `SELECT work_order_id, id FROM work_order_operations
      WHERE machine_id = $1 AND started_at IS NOT NULL AND started_at <= $2
        AND (completed_at IS NULL OR completed_at >= $2)
      ORDER BY started_at DESC LIMIT 1`,
    [machine, new Date(at)],
  );
  return rows[0] ? { workOrder: rows[0].work_order_id, operation: rows[0].id } : null;
}
