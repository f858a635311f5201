import { api } from '@takt/protocol';
import { INGEST_ERRORS, IngestError } from '../errors';
import { readBindings, releaseBindings } from '../queries/gateway-bindings';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

/**
 * `GET /api/gateways/bindings` and `DELETE /api/gateways/bindings/:machine`: which gateway
 * speaks for each machine and station, and releasing first-seen bindings when a machine moves
 * to a new gateway (docs/decisions.md "Issue 18 — machines bound to gateways; OPC UA trust").
 */
export const gatewaysPlugin: IngestPlugin = (app, { pool, log }) => {
  app.get('/api/gateways/bindings', routeOf(api.gateways.bindings), async () => readBindings(pool));

  app.delete('/api/gateways/bindings/:machine', routeOf(api.gateways.release), async (request) => {
    const { machine } = request.params;
    const released = await releaseBindings(pool, machine, request.query.role);
    if (released.outcome === 'none')
      throw new IngestError(
        'INGEST_ERR_NOT_FOUND',
        INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`a gateway binding of ${machine}`),
        404,
      );
    if (released.outcome === 'declared')
      throw new IngestError(
        'INGEST_ERR_CONFLICT',
        INGEST_ERRORS.INGEST_ERR_CONFLICT(
          `the plant model binds ${machine} to gateway ${released.bindings[0]!.gateway}: change its \`gateway\` there`,
        ),
        409,
      );
    const by = request.principal?.kind === 'user' ? request.principal.name : null;
    for (const b of released.bindings)
      log.info({ machine, role: b.role, gateway: b.gateway, by }, 'gateway binding released');
    return released.bindings;
  });
};
