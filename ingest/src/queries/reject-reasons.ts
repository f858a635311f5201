import type { PoolClient } from 'pg';

/**
 * Each site's reject reason ids, in its plant model's order (none listed: an empty list).
 * Only the ids, read in SQL: a 1,000-machine model with its alert rules is megabytes of JSON,
 * and the scan fold asks for every batch with scans (docs/decisions.md "Issue 22 — the fourth
 * pass").
 */
export async function rejectReasonIds(
  db: Pick<PoolClient, 'query'>,
): Promise<Map<string, string[]>> {
  const { rows } = await db.query<{ site_id: string; reasons: string[] }>(
    `SELECT site_id, ARRAY(SELECT jsonb_array_elements(definition->'reasons'->'reject')->>'id') AS reasons
       FROM plant_models`,
  );
  return new Map(rows.map((r) => [r.site_id, r.reasons]));
}
