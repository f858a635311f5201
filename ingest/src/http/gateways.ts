import { api } from '@takt/protocol';
import { INGEST_ERRORS, IngestError } from '../errors';
import { readBindings, releaseBindings } from '../queries/gateway-bindings';
import { readGateway, readGateways } from '../queries/gateway-health';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

/**
 * `GET /api/gateways/bindings` and `DELETE /api/gateways/bindings/:machine`: which gateway
 * speaks for each machine and station, and releasing first-seen bindings when a machine moves
 * to a new gateway (docs/decisions.md "Issue 18 — machines bound to gateways; OPC UA trust");
 * `GET /api/gateways` and `GET /api/gateways/:id`: each gateway's health from its latest
 * status (docs/decisions.md "Issue 25 — gateway health"). The static `bindings` path wins over
 * `:id` in fastify's router, so a gateway named `bindings` is read from the list only.
 */
export const gatewaysPlugin: IngestPlugin = (app, { pool, log }) => {
  app.get('/api/gateways', routeOf(api.gateways.list), async () => readGateways(pool));

  app.get('/api/gateways/bindings', routeOf(api.gateways.bindings), async () => readBindings(pool));

  app.get('/api/gateways/:id', routeOf(api.gateways.detail), async (request) => {
    const gateway = await readGateway(pool, request.params.id);
    if (!gateway)
      throw new IngestError(
        'INGEST_ERR_NOT_FOUND',
        INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`gateway ${request.params.id}`),
        404,
      );
    return gateway;
  });

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
