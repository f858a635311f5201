import { z } from 'zod';
import { plantModelSchema } from '../config/plant';
import { machineSnapshotSchema, sampleSeriesSchema } from '../live';
import { BOARD, defineRoute } from './contract';
import { idSchema, isoTimeSchema, stringIdParams, timeOut, windowChecked } from './common';

const notFound = { 404: 'no such machine' };

export const machineRoutes = {
  list: defineRoute({
    method: 'GET',
    path: '/api/machines',
    access: BOARD,
    summary: "Every machine with its latest state, today's counts, tag values and last reading",
    response: z.array(machineSnapshotSchema.meta({ id: 'MachineSnapshot' })),
    responseDescription: 'the board snapshot',
  }),
  samples: defineRoute({
    method: 'GET',
    path: '/api/machines/:id/samples',
    access: BOARD,
    summary:
      "A tag's history in at most 1000 buckets (the average of good numbers; for a string tag, its last good text)",
    params: stringIdParams,
    query: z.strictObject({
      tag: idSchema,
      minutes: z.coerce.number().int().min(1).max(10_080).default(15),
    }),
    response: sampleSeriesSchema,
    errors: { 400: 'the query is wrong', ...notFound },
  }),
  timeline: defineRoute({
    method: 'GET',
    path: '/api/machines/:id/timeline',
    access: BOARD,
    summary: "A machine's state and mode intervals over a window (at most 31 days)",
    params: stringIdParams,
    query: windowChecked(z.strictObject({ from: isoTimeSchema, to: isoTimeSchema }), 31),
    response: z.object({
      machine: z.string(),
      from: timeOut,
      to: timeOut,
      states: z.array(
        z.object({ from: timeOut, to: timeOut, state: z.string(), reason: z.string().nullable() }),
      ),
      modes: z.array(z.object({ from: timeOut, to: timeOut, mode: z.string() })),
    }),
    errors: { 400: 'the query is wrong', ...notFound },
  }),
  stopReason: defineRoute({
    method: 'POST',
    path: '/api/machines/:id/stop-reason',
    // Operators explain stops at their station (POST /api/stations/:id/stop-reason), not here.
    access: ['admin', 'manager', 'maintenance'],
    summary: 'Give a stop the PLC left unexplained a reason, afterwards (last 24 hours)',
    params: stringIdParams,
    body: z.strictObject({
      reason: z.string().min(1).max(64),
      at: isoTimeSchema.optional().describe('a time inside the stop; absent = the latest stop'),
    }),
    response: z.object({
      ok: z.literal(true),
      stopStart: timeOut,
      stopEnd: timeOut,
      reason: z.string(),
    }),
    errors: {
      400: 'the body is wrong',
      ...notFound,
      409: 'the machine was not stopped then, or the stop has a reason already',
    },
  }),
};

export const plantRoutes = {
  plant: defineRoute({
    method: 'GET',
    path: '/api/plant',
    access: BOARD,
    summary:
      'The plant model as loaded (lines, machines, products, shifts, holidays, modes, reason tree, targets)',
    query: z.object({ site: z.string().optional().describe('the first site when left out') }),
    validateInHandler: true,
    response: plantModelSchema.extend({ loadedAt: timeOut }),
    responseDescription: 'the plant model, plus loadedAt',
    errors: { 404: 'no such site, or no plant model loaded' },
  }),
};
