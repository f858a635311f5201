import { z } from 'zod';
import { idSchema } from '@takt/protocol';
import { INGEST_ERRORS, IngestError } from '../errors';
import { downtimeReport, outputReport } from '../queries/losses';
import { oeeReport, shiftReport, type Scope } from '../queries/oee';
import { BOARD } from '../auth/access';
import { badRequest } from './bad-request';
import { boundedWindow, windowFields } from './window';
import type { IngestPlugin } from './types';

const oeeQuery = boundedWindow(
  z
    .strictObject({
      machine: idSchema.optional(),
      line: idSchema.optional(),
      ...windowFields,
    })
    .refine(
      (q) => (q.machine === undefined) !== (q.line === undefined),
      'give exactly one of machine or line',
    ),
  92,
);

function notFound(scope: Scope): IngestError {
  const what = 'machine' in scope ? `machine "${scope.machine}"` : `line "${scope.line}"`;
  return new IngestError('INGEST_ERR_NOT_FOUND', INGEST_ERRORS.INGEST_ERR_NOT_FOUND(what), 404);
}

function parseWindow(query: unknown): { scope: Scope; from: number; to: number } {
  const parsed = oeeQuery.safeParse(query);
  if (!parsed.success) throw badRequest(parsed.error);
  const { machine, line, from, to } = parsed.data;
  return {
    scope: machine ? { machine } : { line: line! },
    from: Date.parse(from),
    to: Date.parse(to),
  };
}

/**
 * `GET /api/oee`, `/api/downtime` (Pareto by reason) and `/api/output` (per hour, one machine)
 * with `?machine=<id>|line=<id>&from=<iso>&to=<iso>`: ISO 22400-2 figures of any window.
 */
export const oeePlugin: IngestPlugin = (app, { pool }) => {
  app.get('/api/downtime', { config: { access: BOARD } }, async (request) => {
    const { scope, from, to } = parseWindow(request.query);
    const reasons = await downtimeReport(pool, scope, from, to);
    if (!reasons) throw notFound(scope);
    return {
      ...scope,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      reasons,
    };
  });

  app.get('/api/output', { config: { access: BOARD } }, async (request) => {
    const { scope, from, to } = parseWindow(request.query);
    if (!('machine' in scope))
      throw new IngestError(
        'INGEST_ERR_BAD_REQUEST',
        'output per hour is per machine: give machine',
        400,
      );
    const hours = await outputReport(pool, scope.machine, from, to);
    if (!hours) throw notFound(scope);
    return {
      ...scope,
      hours: hours.map((h) => ({ ...h, hourStart: new Date(h.hourStart).toISOString() })),
    };
  });

  app.get('/api/oee/shifts', { config: { access: BOARD } }, async (request) => {
    const { scope, from, to } = parseWindow(request.query);
    const shifts = await shiftReport(pool, scope, from, to);
    if (!shifts) throw notFound(scope);
    return { ...scope, from: new Date(from).toISOString(), to: new Date(to).toISOString(), shifts };
  });

  app.get('/api/oee', { config: { access: BOARD } }, async (request) => {
    const { scope, from, to } = parseWindow(request.query);
    const report = await oeeReport(pool, scope, from, to);
    if (!report) throw notFound(scope);
    return {
      ...scope,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      ...report,
    };
  });
};
