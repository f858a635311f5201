import { DEAD_LETTER_READERS } from '@takt/protocol';
import { decideAccess, PUBLIC } from '../auth/access';
import { gatewayHealth } from '../queries/dead-letters';
import type { IngestPlugin } from './types';

/**
 * `GET /api/health`: the process is up, the database answers; `mqtt` says if data can flow,
 * `writer` how the writer keeps up (the same figures as `GET /api/ingest/metrics`), and the
 * dead letters of the last 24 h. The route is public (load balancers sign in as nobody), so
 * each gateway's id, clock offset and dead letters (issues 6 and 9) are added only for the
 * people who fix gateways — the dead-letter readers — when the caller is signed in as one
 * (docs/decisions.md "Issue 16 — /api/health"); so is the database's error when it does not
 * answer (docs/decisions.md "Issue 18 — imports off the event loop, one CSV writer, errors
 * without internals").
 */
export const healthPlugin: IngestPlugin = (app, { pool, status, writer, storage, log }) => {
  app.get('/api/health', { config: { access: PUBLIC } }, async (request, reply) => {
    const staff = decideAccess(request.principal, DEAD_LETTER_READERS, 'GET') === 'allow';
    try {
      const { gateways, deadLetters24h } = await gatewayHealth(pool);
      return {
        status: 'ok',
        mqtt: status.subscribed ? 'subscribed' : 'connecting',
        storage: storage.engine,
        writer: writer.snapshot(),
        deadLetters24h,
        ...(staff ? { gateways } : {}),
      };
    } catch (error) {
      // The database's own words (table names, addresses) are for the staff who fix it.
      const reason = (error as Error).message;
      log.warn({ err: reason }, 'health: the database does not answer');
      return reply.code(503).send({ status: 'degraded', ...(staff ? { database: reason } : {}) });
    }
  });
};
