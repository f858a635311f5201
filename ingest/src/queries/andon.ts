import type { Pool } from 'pg';
import type { CallAlert } from '../alerts/andon';

/*
 * Andon calls as stored: alerts of andon rules (alerts/andon.ts judges them) and the stations'
 * `andon` scans (docs/decisions.md "Issue 17 — andon calls"). Migration 036 indexes alerts by
 * (rule, subject, opened_at) for these.
 */

interface CallRow {
  id: string;
  rule_id: string;
  status: CallAlert['status'];
  opened_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  cleared_at: Date | null;
  cleared_by: string | null;
}

const CALL_COLUMNS =
  'id, rule_id, status, opened_at, acknowledged_at, acknowledged_by, cleared_at, cleared_by';

const ms = (d: Date | null) => (d === null ? null : d.getTime());

function callOf(r: CallRow): CallAlert {
  return {
    id: Number(r.id),
    rule: r.rule_id,
    status: r.status,
    openedAt: r.opened_at.getTime(),
    acknowledgedAt: ms(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    clearedAt: ms(r.cleared_at),
    clearedBy: r.cleared_by,
  };
}

/**
 * Whether a call made at `at` is answered already: an alert of its rule at its station is
 * open, or was cleared at or after `at` (the call was made while it was open, or is that
 * alert's own scan again). Such a call opens nothing, so a replayed scan opens no second alert.
 */
export async function callAnswered(
  pool: Pool,
  rule: string,
  station: string,
  at: number,
): Promise<boolean> {
  const { rows } = await pool.query(
    `SELECT 1 FROM alerts
      WHERE rule_id = $1 AND subject = $2 AND (status <> 'cleared' OR cleared_at >= $3)
      LIMIT 1`,
    [rule, station, new Date(at)],
  );
  return rows.length > 0;
}

/** Per rule, the alert a station's call shows: the open one, else the last cleared. */
export async function latestCalls(
  pool: Pool,
  station: string,
  rules: readonly string[],
): Promise<Map<string, CallAlert>> {
  if (rules.length === 0) return new Map();
  const { rows } = await pool.query<CallRow>(
    `SELECT DISTINCT ON (rule_id) ${CALL_COLUMNS} FROM alerts
      WHERE rule_id = ANY($1::text[]) AND subject = $2
      ORDER BY rule_id, (status = 'cleared'), coalesce(cleared_at, opened_at) DESC, id DESC`,
    [rules, station],
  );
  return new Map(rows.map((r) => [r.rule_id, callOf(r)]));
}

/** Calls of these rules opened in [from, to), at these stations or (undefined) all. */
export async function callsOpened(
  pool: Pool,
  rules: readonly string[],
  from: number,
  to: number,
  stations: readonly string[] | undefined,
): Promise<CallAlert[]> {
  if (rules.length === 0) return [];
  const { rows } = await pool.query<CallRow>(
    `SELECT ${CALL_COLUMNS} FROM alerts
      WHERE rule_id = ANY($1::text[]) AND opened_at >= $2 AND opened_at < $3
        AND ($4::text[] IS NULL OR subject = ANY($4::text[]))
      ORDER BY opened_at, id`,
    [rules, new Date(from), new Date(to), stations ?? null],
  );
  return rows.map(callOf);
}

/** A stored andon scan: a call to open again after a stop (consumers/andon.ts `catchUp`). */
export interface StoredCall {
  station: string;
  ts: number;
  reason: string | null;
  operator: string | null;
}

/** The andon scans at these stations from `fromMs` on, in edge-time order. */
export async function andonScansSince(
  pool: Pool,
  stations: readonly string[],
  fromMs: number,
): Promise<StoredCall[]> {
  const { rows } = await pool.query<{
    time: Date;
    station_id: string;
    reason: string | null;
    operator: string | null;
  }>(
    `SELECT time, station_id, reason, operator FROM scans
      WHERE station_id = ANY($1::text[]) AND time >= $2 AND lower(action) = 'andon'
      ORDER BY time, gateway_id, seq NULLS LAST`,
    [stations, new Date(fromMs)],
  );
  return rows.map((r) => ({
    station: r.station_id,
    ts: r.time.getTime(),
    reason: r.reason,
    operator: r.operator,
  }));
}
