/**
 * The plant bench's history: the last day of every machine, stored before the publisher
 * starts, so that what reads a day or a shift (the live snapshot's day counts, the shift
 * board, OEE, the line's output) reads a day's worth of rows, as it does in a plant at any
 * hour but the first after start-up (docs/decisions.md "Issue 22 — the fourth pass").
 * Per machine and minute one count row (60 good, one reject a quarter of an hour), and per
 * hour a 5-minute stop; the machine is monitored from the day's start on.
 */
import type pg from 'pg';

export const HISTORY_HOURS = 24;

/** Writes the history in one transaction, then vacuums; returns the count rows written. */
export async function storePlantHistory(
  pool: pg.Pool,
  machines: readonly { id: string; gateway: string }[],
  nowMs: number,
): Promise<number> {
  const ids = machines.map((m) => m.id);
  const gatewaysOf = machines.map((m) => m.gateway);
  const from = new Date(Math.floor((nowMs - HISTORY_HOURS * 3_600_000) / 60_000) * 60_000);
  const to = new Date(Math.floor(nowMs / 60_000) * 60_000 - 60_000);
  const client = await pool.connect();
  let counts: pg.QueryResult;
  try {
    await client.query('BEGIN');
    // The counts triggers keep the rollups of what these rows add (migrations 052, 054).
    counts = await client.query(
      `INSERT INTO counts (time, machine_id, good_total, reject_total, good, reject, counter_reset)
       SELECT t, m, n * 60, n / 15, 60, CASE WHEN n % 15 = 0 THEN 1 ELSE 0 END, false
         FROM unnest($1::text[]) AS m
        CROSS JOIN LATERAL (
          SELECT t, row_number() OVER (ORDER BY t) AS n
            FROM generate_series($2::timestamptz, $3::timestamptz, interval '1 minute') AS t) g`,
      [ids, from, to],
    );
    await client.query(
      `INSERT INTO machine_states (time, machine_id, state, code, reason, gateway_id, seq)
       SELECT h + s.at, u.m, s.state, NULL, NULL, u.gw, 0
         FROM unnest($1::text[], $2::text[]) AS u(m, gw)
        CROSS JOIN generate_series($3::timestamptz, $4::timestamptz, interval '1 hour') AS h
        CROSS JOIN (VALUES (interval '0', 'running'), (interval '40 minutes', 'stopped'),
                           (interval '45 minutes', 'running')) AS s(at, state)
        WHERE h + s.at <= $4`,
      [ids, gatewaysOf, from, to],
    );
    await client.query('UPDATE machines SET first_data_at = $2 WHERE id = ANY($1::text[])', [
      ids,
      from,
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  // A plant's day of rows arrives over a day, and autovacuum keeps up a little at a time;
  // stored in seconds, it would all be vacuumed and analysed inside the measured minutes,
  // which then measure a start-up chore (docs/decisions.md "Issue 22 — the eighth pass").
  await pool.query('VACUUM ANALYZE');
  return counts.rowCount ?? 0;
}
