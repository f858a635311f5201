import { BOARD } from '../auth/access';
import { INGEST_ERRORS, IngestError } from '../errors';
import type { IngestPlugin } from './types';

/**
 * `GET /api/plant`: the plant model as ingest loaded it (lines, machines, products, shifts,
 * holidays, modes, reason-code tree, targets), for boards, forms and reason pickers.
 */
export const plantPlugin: IngestPlugin = (app, { pool }) => {
  app.get<{ Querystring: { site?: string } }>(
    '/api/plant',
    { config: { access: BOARD } },
    async (request) => {
      const site = typeof request.query.site === 'string' ? request.query.site : null;
      const { rows } = await pool.query<{ definition: unknown; loaded_at: Date }>(
        'SELECT definition, loaded_at FROM plant_models WHERE $1::text IS NULL OR site_id = $1 ORDER BY site_id LIMIT 1',
        [site],
      );
      if (!rows[0])
        throw new IngestError(
          'INGEST_ERR_NOT_FOUND',
          INGEST_ERRORS.INGEST_ERR_NOT_FOUND(site ? `site "${site}"` : 'a plant model'),
          404,
        );
      return { ...(rows[0].definition as object), loadedAt: rows[0].loaded_at.toISOString() };
    },
  );
};
