import { api, RESPONDERS, type PlantModel } from '@takt/protocol';
import { principalAccess, type Principal } from '../auth/access';
import { INGEST_ERRORS, IngestError } from '../errors';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

/**
 * `GET /api/plant`: the plant model as ingest loaded it (lines, machines, products, shifts,
 * holidays, modes, reason-code tree, targets), for boards, forms and reason pickers.
 * Alert channels (where notices go: hosts, addresses, the names of secret variables) and the
 * rules' channel lists are for responders only (docs/decisions.md "Issue 18 — logins,
 * sockets, channels and delivery"); every other reader gets the rules without them.
 */
export function plantFor(plant: PlantModel, principal: Principal | undefined): PlantModel {
  if (principal && RESPONDERS.includes(principalAccess(principal))) return plant;
  const rules = plant.alerts.rules.map((rule) => {
    const bare = { ...rule, notify: [] };
    delete bare.escalate;
    return bare;
  });
  return { ...plant, alerts: { ...plant.alerts, rules, channels: [] } };
}

/** `GET /api/plant`, the model as `plantFor` shows it to the caller. */
export const plantPlugin: IngestPlugin = (app, { pool }) => {
  // The query is read here, not by the contract's schema: a repeated `site` is no 400 but the
  // first site (protocol/src/api/machines.ts, validateInHandler).
  app.get('/api/plant', routeOf(api.plant.plant), async (request) => {
    const query: { site?: unknown } = request.query;
    const site = typeof query.site === 'string' ? query.site : null;
    const { rows } = await pool.query<{ definition: PlantModel; loaded_at: Date }>(
      'SELECT definition, loaded_at FROM plant_models WHERE $1::text IS NULL OR site_id = $1 ORDER BY site_id LIMIT 1',
      [site],
    );
    if (!rows[0])
      throw new IngestError(
        'INGEST_ERR_NOT_FOUND',
        INGEST_ERRORS.INGEST_ERR_NOT_FOUND(site ? `site "${site}"` : 'a plant model'),
        404,
      );
    const plant = plantFor(rows[0].definition, request.principal);
    return { ...plant, loadedAt: rows[0].loaded_at.toISOString() };
  });
};
