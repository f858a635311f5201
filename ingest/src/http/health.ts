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
 * (docs/decisions.md "Issue 16 — /api/health").
 */
export const healthPlugin: IngestPlugin = (app, { pool, status, writer, storage }) => {
  app.get('/api/health', { config: { access: PUBLIC } }, async (request, reply) => {
    try {
      const { gateways, deadLetters24h } = await gatewayHealth(pool);
      const staff = decideAccess(request.principal, DEAD_LETTER_READERS, 'GET') === 'allow';
      return {
        status: 'ok',
        mqtt: status.subscribed ? 'subscribed' : 'connecting',
        storage: storage.engine,
        writer: writer.snapshot(),
        deadLetters24h,
        ...(staff ? { gateways } : {}),
      };
    } catch (error) {
      return reply.code(503).send({ status: 'degraded', database: (error as Error).message });
    }
  });
};
