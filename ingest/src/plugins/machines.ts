import { idSchema } from '@takt/protocol';
import { z } from 'zod';
import { INGEST_ERRORS, IngestError } from '../errors';
import { machineExists, machineSnapshots, sampleSeries } from '../queries/machines';
import { badRequest } from './bad-request';
import type { IngestPlugin } from './types';

const samplesQuery = z.strictObject({
  tag: idSchema,
  minutes: z.coerce.number().int().min(1).max(10_080).default(15),
});

/** `GET /api/machines` (the boards' snapshot) and a tag's history for trends. */
export const machinesPlugin: IngestPlugin = (app, { pool }) => {
  app.get('/api/machines', async () => machineSnapshots(pool));

  app.get<{ Params: { id: string }; Querystring: Record<string, string> }>(
    '/api/machines/:id/samples',
    async (request) => {
      const query = samplesQuery.safeParse(request.query);
      if (!query.success) throw badRequest(query.error);
      if (!(await machineExists(pool, request.params.id))) {
        throw new IngestError(
          'INGEST_ERR_NOT_FOUND',
          INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`machine "${request.params.id}"`),
          404,
        );
      }
      return sampleSeries(pool, request.params.id, query.data.tag, query.data.minutes);
    },
  );
};
