import { PUBLIC } from '../auth/access';
import { gatewayHealth } from '../queries/dead-letters';
import type { IngestPlugin } from './types';

/**
 * `GET /api/health`: the process is up, the database answers; `mqtt` says if data can flow,
 * `writer` how the writer keeps up (the same figures as `GET /api/ingest/metrics`);
 * `gateways` each gateway's clock offset and dead letters of the last 24 h (issues 6 and 9:
 * a gateway with a wrong clock or a wrong payload shows here, not only in a log line).
 */
export const healthPlugin: IngestPlugin = (app, { pool, status, writer, storage }) => {
  app.get('/api/health', { config: { access: PUBLIC } }, async (_request, reply) => {
    try {
      const { gateways, deadLetters24h } = await gatewayHealth(pool);
      return {
        status: 'ok',
        mqtt: status.subscribed ? 'subscribed' : 'connecting',
        storage: storage.engine,
        writer: writer.snapshot(),
        deadLetters24h,
        gateways,
      };
    } catch (error) {
      return reply.code(503).send({ status: 'degraded', database: (error as Error).message });
    }
  });
};
