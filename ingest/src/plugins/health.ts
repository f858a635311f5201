import { PUBLIC } from '../auth/access';
import type { IngestPlugin } from './types';

/**
 * `GET /api/health`: the process is up, the database answers; `mqtt` says if data can flow,
 * `writer` how the writer keeps up (the same figures as `GET /api/ingest/metrics`).
 */
export const healthPlugin: IngestPlugin = (app, { pool, status, writer, storage }) => {
  app.get('/api/health', { config: { access: PUBLIC } }, async (_request, reply) => {
    try {
      await pool.query('SELECT 1');
      return {
        status: 'ok',
        mqtt: status.subscribed ? 'subscribed' : 'connecting',
        storage: storage.engine,
        writer: writer.snapshot(),
      };
    } catch (error) {
      return reply.code(503).send({ status: 'degraded', database: (error as Error).message });
    }
  });
};
