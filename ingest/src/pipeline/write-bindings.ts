import type { DecodedMessage, PlantModel } from '@takt/protocol';
import type { PoolClient } from 'pg';
import {
  firstSightClaims,
  judgeBindings,
  subjectKey,
  subjectsOf,
  type BindingRole,
  type Subject,
} from './bindings';
import type { DeadLetter } from './dead-letters';

async function readBindings(
  client: PoolClient,
  subjects: readonly Subject[],
): Promise<Map<string, string>> {
  const { rows } = await client.query<{
    machine_id: string;
    role: BindingRole;
    gateway_id: string;
  }>(
    `SELECT b.machine_id, b.role, b.gateway_id
       FROM machine_gateways b JOIN unnest($1::text[], $2::text[]) AS u(id, role)
         ON b.machine_id = u.id AND b.role = u.role`,
    [subjects.map((s) => s.id), subjects.map((s) => s.role)],
  );
  return new Map(rows.map((r) => [subjectKey({ id: r.machine_id, role: r.role }), r.gateway_id]));
}

/**
 * Judges a batch's messages by their machines' and stations' gateways (migration 037), inside
 * the writer's transaction: one bound to no gateway yet is bound to the first gateway of the
 * batch that speaks for it, in the same transaction as its data, so two batches (or two
 * ingest instances) racing for a new machine bind it once — the second INSERT waits for the
 * first one's COMMIT and then finds the row. Common case: one SELECT.
 */
export async function checkBindings(
  client: PoolClient,
  messages: readonly DecodedMessage[],
): Promise<{ kept: DecodedMessage[]; refused: DeadLetter[] }> {
  const subjects = subjectsOf(messages);
  if (subjects.length === 0) return { kept: [...messages], refused: [] };
  const bound = await readBindings(client, subjects);
  const claims = [...firstSightClaims(messages, bound)]
    .sort(([a], [b]) => (a < b ? -1 : 1)) // a fixed lock order
    .map(([, c]) => c);
  if (claims.length > 0) {
    await client.query(
      `INSERT INTO machine_gateways (machine_id, role, gateway_id, source)
       SELECT u.id, u.role, u.gateway, 'first-seen' FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, role, gateway)
       ON CONFLICT (machine_id, role) DO NOTHING`,
      [claims.map((c) => c.id), claims.map((c) => c.role), claims.map((c) => c.gateway)],
    );
    for (const [key, gateway] of await readBindings(client, claims)) bound.set(key, gateway);
  }
  return judgeBindings(messages, bound);
}

/**
 * The plant model's declared bindings (`gateway` on a machine binds its data and its
 * station's scans; `stationGateway` the scans where they differ) replace whatever the machine
 * had; a machine of this site whose declaration was removed loses its declared bindings and
 * is bound again on first sight.
 */
export async function declareBindings(client: PoolClient, plant: PlantModel): Promise<void> {
  const declared = plant.lines.flatMap((l) =>
    l.machines.flatMap((m) => {
      const station = m.stationGateway ?? m.gateway;
      return [
        ...(m.gateway ? [{ id: m.id, role: 'machine', gateway: m.gateway }] : []),
        ...(station ? [{ id: m.id, role: 'station', gateway: station }] : []),
      ];
    }),
  );
  await client.query(
    `DELETE FROM machine_gateways b
      WHERE source = 'declared'
        AND machine_id IN (SELECT id FROM machines WHERE site_id = $1)
        AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS u(id, role)
                         WHERE u.id = b.machine_id AND u.role = b.role)`,
    [plant.site.id, declared.map((d) => d.id), declared.map((d) => d.role)],
  );
  if (declared.length === 0) return;
  await client.query(
    `INSERT INTO machine_gateways (machine_id, role, gateway_id, source)
     SELECT u.id, u.role, u.gw, 'declared' FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, role, gw)
     ON CONFLICT (machine_id, role) DO UPDATE SET gateway_id = EXCLUDED.gateway_id, source = 'declared',
       bound_at = CASE WHEN machine_gateways.gateway_id = EXCLUDED.gateway_id
                        AND machine_gateways.source = 'declared'
                       THEN machine_gateways.bound_at ELSE now() END`,
    [declared.map((d) => d.id), declared.map((d) => d.role), declared.map((d) => d.gateway)],
  );
}
