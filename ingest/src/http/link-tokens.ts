import { api } from '@takt/protocol';
import type { Principal } from '../auth/access';
import { dropSockets, tokenHolder } from '../auth/sockets';
import { createLinkToken, listLinkTokens, revokeLinkToken, type LinkKind } from '../auth/store';
import { INGEST_ERRORS, IngestError } from '../errors';
import { findStation } from '../queries/stations';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

const createdBy = (p: Principal | undefined) => (p?.kind === 'user' ? p.name : null);

/**
 * Kiosk links (a wall TV: read-only boards), customer links (read-only, that customer's
 * orders) and station links (a shared tablet: that one station's routes): created by admins
 * and managers, the token shown once, revocable. The page URLs carry the token in the
 * fragment (`/#kiosk=…`, `/track#…`, `/station/<id>#station=…`): a fragment is never sent to
 * a server, so it stays out of access logs and proxies.
 */
export const linkTokensPlugin: IngestPlugin = (app, { pool, io, log }) => {
  type Created = Awaited<ReturnType<typeof createLinkToken>>;
  const pathOf = (kind: LinkKind, created: Created) =>
    kind === 'kiosk'
      ? `/#kiosk=${created.token}`
      : kind === 'customer'
        ? `/track#${created.token}`
        : `/station/${encodeURIComponent(created.record.station ?? '')}#station=${created.token}`;
  const answer = (kind: LinkKind, created: Created) => {
    log.info({ kind, id: created.record.id, by: created.record.createdBy }, 'link token created');
    const path = pathOf(kind, created);
    return { ...created.record, token: created.token, path };
  };

  app.post('/api/kiosk-tokens', routeOf(api.linkTokens.kiosk.create), async (request, reply) => {
    const created = await createLinkToken(pool, {
      kind: 'kiosk',
      label: request.body.label,
      createdBy: createdBy(request.principal),
    });
    return reply.code(201).send(answer('kiosk', created));
  });

  app.post(
    '/api/customer-tokens',
    routeOf(api.linkTokens.customer.create),
    async (request, reply) => {
      const { customer, label, expiresAt } = request.body;
      // A link that would be dead on arrival is a mistake (a date typed wrong), not a request.
      if (expiresAt !== undefined && Date.parse(expiresAt) <= Date.now())
        throw new IngestError(
          'INGEST_ERR_BAD_REQUEST',
          `expiresAt: ${expiresAt} is not in the future`,
          400,
        );
      const created = await createLinkToken(pool, {
        kind: 'customer',
        label: label ?? customer,
        customer,
        createdBy: createdBy(request.principal),
        expiresAt: expiresAt === undefined ? undefined : new Date(expiresAt),
      });
      return reply.code(201).send(answer('customer', created));
    },
  );

  app.post(
    '/api/station-tokens',
    routeOf(api.linkTokens.station.create),
    async (request, reply) => {
      const { station: id, label } = request.body;
      const station = await findStation(pool, id);
      if (!station)
        throw new IngestError(
          'INGEST_ERR_NOT_FOUND',
          INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`station ${id}`),
          404,
        );
      const created = await createLinkToken(pool, {
        kind: 'station',
        label: label ?? station.name,
        station: station.id,
        createdBy: createdBy(request.principal),
      });
      return reply.code(201).send(answer('station', created));
    },
  );

  for (const kind of ['kiosk', 'customer', 'station'] as const) {
    const routes = api.linkTokens[kind];
    app.get(routes.list.path, routeOf(routes.list), async () => listLinkTokens(pool, kind));

    app.delete(routes.revoke.path, routeOf(routes.revoke), async (request) => {
      const { id } = request.params;
      const revoked = await revokeLinkToken(pool, kind, id);
      if (!revoked)
        throw new IngestError(
          'INGEST_ERR_NOT_FOUND',
          INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`${kind} token ${id}`),
          404,
        );
      const dropped = dropSockets(io, tokenHolder(revoked.id));
      log.info(
        { kind, id: revoked.id, by: createdBy(request.principal), dropped },
        'link token revoked',
      );
      return revoked;
    });
  }
};
