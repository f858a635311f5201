import type { DecodedMessage, PlantModel } from '@takt/protocol';
import type { PoolClient } from 'pg';
import { firstSightClaims, judgeBindings, subjectsOf } from './bindings';
import type { DeadLetter } from './dead-letters';

async function readBindings(
  client: PoolClient,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const { rows } = await client.query<{ machine_id: string; gateway_id: string }>(
    'SELECT machine_id, gateway_id FROM machine_gateways WHERE machine_id = ANY($1::text[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.machine_id, r.gateway_id]));
}

/**
 * Judges a batch's messages by their machines' gateways (migration 037), inside the writer's
 * transaction: a machine bound to no gateway yet is bound to the first gateway of the batch
 * that speaks for it, in the same transaction as its data, so two batches (or two ingest
 * instances) racing for a new machine bind it once — the second INSERT waits for the first
 * one's COMMIT and then finds the row. Common case: one SELECT.
 */
export async function checkBindings(
  client: PoolClient,
  messages: readonly DecodedMessage[],
): Promise<{ kept: DecodedMessage[]; refused: DeadLetter[] }> {
  const ids = subjectsOf(messages);
  if (ids.length === 0) return { kept: [...messages], refused: [] };
  const bound = await readBindings(client, ids);
  const claims = [...firstSightClaims(messages, bound)].sort(([a], [b]) => (a < b ? -1 : 1));
  if (claims.length > 0) {
    await client.query(
      `INSERT INTO machine_gateways (machine_id, gateway_id, source)
       SELECT u.machine, u.gateway, 'first-seen' FROM unnest($1::text[], $2::text[]) AS u(machine, gateway)
       ON CONFLICT (machine_id) DO NOTHING`,
      [claims.map(([id]) => id), claims.map(([, gw]) => gw)],
    );
    for (const [id, gw] of await readBindings(
      client,
      claims.map(([id]) => id),
    ))
      bound.set(id, gw);
  }
  return judgeBindings(messages, bound);
}

/**
 * The plant model's declared bindings (`gateway:` on a machine) replace whatever the machine
 * had; a machine of this site whose declaration was removed loses its declared binding and is
 * bound again on first sight.
 */
export async function declareBindings(client: PoolClient, plant: PlantModel): Promise<void> {
  const declared = plant.lines.flatMap((l) =>
    l.machines.flatMap((m) => (m.gateway === undefined ? [] : [{ id: m.id, gateway: m.gateway }])),
  );
  await client.query(
    `DELETE FROM machine_gateways
      WHERE source = 'declared' AND NOT (machine_id = ANY($2::text[]))
        AND machine_id IN (SELECT id FROM machines WHERE site_id = $1)`,
    [plant.site.id, declared.map((d) => d.id)],
  );
  if (declared.length === 0) return;
  await client.query(
    `INSERT INTO machine_gateways (machine_id, gateway_id, source)
     SELECT u.id, u.gw, 'declared' FROM unnest($1::text[], $2::text[]) AS u(id, gw)
     ON CONFLICT (machine_id) DO UPDATE SET gateway_id = EXCLUDED.gateway_id, source = 'declared',
       bound_at = CASE WHEN machine_gateways.gateway_id = EXCLUDED.gateway_id
                        AND machine_gateways.source = 'declared'
                       THEN machine_gateways.bound_at ELSE now() END`,
    [declared.map((d) => d.id), declared.map((d) => d.gateway)],
  );
}
