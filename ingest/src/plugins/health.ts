import { PUBLIC } from '../auth/access';
import type { IngestPlugin } from './types';

/** `GET /api/health`: the process is up, the database answers; `mqtt` says if data can flow. */
export const healthPlugin: IngestPlugin = (app, { pool, status }) => {
  app.get('/api/health', { config: { access: PUBLIC } }, async (_request, reply) => {
    try {
      await pool.query('SELECT 1');
      return { status: 'ok', mqtt: status.subscribed ? 'subscribed' : 'connecting' };
    } catch (error) {
      return reply.code(503).send({ status: 'degraded', database: (error as Error).message });
    }
  });
};
