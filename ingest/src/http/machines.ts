import { idSchema, isoTimeSchema, windowChecked } from '@takt/protocol';
import { z } from 'zod';
import { INGEST_ERRORS, IngestError } from '../errors';
import { machineExists, machineSnapshots, sampleSeries } from '../queries/machines';
import { machinesOf, machineWindow } from '../queries/oee';
import { assignStopReason } from '../queries/stop-reasons';
import { BOARD, STAFF } from '../auth/access';
import { badRequest } from './bad-request';
import type { IngestPlugin } from './types';

const samplesQuery = z.strictObject({
  tag: idSchema,
  minutes: z.coerce.number().int().min(1).max(10_080).default(15),
});

const timelineQuery = windowChecked(z.strictObject({ from: isoTimeSchema, to: isoTimeSchema }), 31);

const stopReasonBody = z.strictObject({
  reason: z.string().min(1).max(64),
  /** A time inside the stop; absent: the machine's latest stop. */
  at: isoTimeSchema.optional(),
});

/** `GET /api/machines` (the boards' snapshot) and a tag's history for trends. */
export const machinesPlugin: IngestPlugin = (app, { pool }) => {
  app.get('/api/machines', { config: { access: BOARD } }, async () => machineSnapshots(pool));

  app.get<{ Params: { id: string }; Querystring: Record<string, string> }>(
    '/api/machines/:id/samples',
    { config: { access: BOARD } },
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

  app.get<{ Params: { id: string } }>(
    '/api/machines/:id/timeline',
    { config: { access: BOARD } },
    async (request) => {
      const query = timelineQuery.safeParse(request.query);
      if (!query.success) throw badRequest(query.error);
      const [machine] = await machinesOf(pool, { machine: request.params.id });
      if (!machine)
        throw new IngestError(
          'INGEST_ERR_NOT_FOUND',
          INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`machine "${request.params.id}"`),
          404,
        );
      const from = Date.parse(query.data.from);
      const to = Date.parse(query.data.to);
      const { states, modes } = await machineWindow(pool, machine, from, to);
      const iso = (ms: number) => new Date(ms).toISOString();
      return {
        machine: machine.id,
        from: iso(from),
        to: iso(to),
        states: states.map((s) => ({
          from: iso(s.from),
          to: iso(s.to),
          state: s.state,
          reason: s.reason,
        })),
        modes: modes.map((m) => ({ from: iso(m.from), to: iso(m.to), mode: m.mode })),
      };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/machines/:id/stop-reason',
    { config: { access: STAFF } },
    async (request) => {
      const body = stopReasonBody.safeParse(request.body);
      if (!body.success) throw badRequest(body.error);
      const at = body.data.at === undefined ? undefined : Date.parse(body.data.at);
      const outcome = await assignStopReason(pool, request.params.id, body.data.reason, 'api', at);
      if (!outcome.ok) {
        const code = outcome.status === 404 ? 'INGEST_ERR_NOT_FOUND' : 'INGEST_ERR_BAD_REQUEST';
        throw new IngestError(code, outcome.reason, outcome.status);
      }
      return outcome;
    },
  );
};
