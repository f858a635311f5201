import { z } from 'zod';
import { idSchema, isoTimeSchema } from '@takt/protocol';
import { INGEST_ERRORS, IngestError } from '../errors';
import { oeeReport } from '../queries/oee';
import { badRequest } from './bad-request';
import type { IngestPlugin } from './types';

const MAX_WINDOW_MS = 92 * 24 * 3_600_000;

const oeeQuery = z
  .strictObject({
    machine: idSchema.optional(),
    line: idSchema.optional(),
    from: isoTimeSchema,
    to: isoTimeSchema,
  })
  .refine(
    (q) => (q.machine === undefined) !== (q.line === undefined),
    'give exactly one of machine or line',
  )
  .refine((q) => Date.parse(q.to) > Date.parse(q.from), {
    message: 'to must be after from',
    path: ['to'],
  })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= MAX_WINDOW_MS, {
    message: 'the window is longer than 92 days',
    path: ['to'],
  });

/** `GET /api/oee?machine=<id>|line=<id>&from=<iso>&to=<iso>`: ISO 22400-2 OEE of any window. */
export const oeePlugin: IngestPlugin = (app, { pool }) => {
  app.get<{ Querystring: Record<string, string> }>('/api/oee', async (request) => {
    const query = oeeQuery.safeParse(request.query);
    if (!query.success) throw badRequest(query.error);
    const { machine, line, from, to } = query.data;
    const scope = machine ? { machine } : { line: line! };
    const report = await oeeReport(pool, scope, Date.parse(from), Date.parse(to));
    if (!report) {
      throw new IngestError(
        'INGEST_ERR_NOT_FOUND',
        INGEST_ERRORS.INGEST_ERR_NOT_FOUND(machine ? `machine "${machine}"` : `line "${line}"`),
        404,
      );
    }
    return {
      ...scope,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      ...report,
    };
  });
};
