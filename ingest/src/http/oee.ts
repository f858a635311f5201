import { api, type oeeWindowQuerySchema } from '@takt/protocol';
import type { z } from 'zod';
import { INGEST_ERRORS, IngestError } from '../errors';
import type { HourOutput } from '../domain/losses';
import { downtimeReport, outputReport } from '../queries/losses';
import { oeeReport, shiftReport, type Scope } from '../queries/oee';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

type OeeWindowQuery = z.output<typeof oeeWindowQuerySchema>;

function notFound(scope: Scope): IngestError {
  const what = 'machine' in scope ? `machine "${scope.machine}"` : `line "${scope.line}"`;
  return new IngestError('INGEST_ERR_NOT_FOUND', INGEST_ERRORS.INGEST_ERR_NOT_FOUND(what), 404);
}

/** The window of a query checked by `oeeWindowQuerySchema` (protocol/src/api/oee.ts). */
function parseWindow(query: OeeWindowQuery): { scope: Scope; from: number; to: number } {
  const { machine, line, from, to } = query;
  return {
    scope: machine ? { machine } : { line: line! },
    from: Date.parse(from),
    to: Date.parse(to),
  };
}

/**
 * `GET /api/oee`, `/api/downtime` (Pareto by reason) and `/api/output` (per hour; a line's also per machine)
 * with `?machine=<id>|line=<id>&from=<iso>&to=<iso>`: ISO 22400-2 figures of any window.
 */
export const oeePlugin: IngestPlugin = (app, { pool }) => {
  app.get('/api/downtime', routeOf(api.oee.downtime), async (request) => {
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

  app.get('/api/output', routeOf(api.oee.output), async (request) => {
    const { scope, from, to } = parseWindow(request.query);
    const report = await outputReport(pool, scope, from, to);
    if (!report) throw notFound(scope);
    const hoursOut = (hours: HourOutput[]) =>
      hours.map((h) => ({ ...h, hourStart: new Date(h.hourStart).toISOString() }));
    return {
      ...scope,
      hours: hoursOut(report.hours),
      ...('line' in scope
        ? {
            machines: report.machines.map((m) => ({
              machine: m.machine,
              hours: hoursOut(m.hours),
            })),
          }
        : {}),
    };
  });

  app.get('/api/oee/shifts', routeOf(api.oee.shifts), async (request) => {
    const { scope, from, to } = parseWindow(request.query);
    const shifts = await shiftReport(pool, scope, from, to);
    if (!shifts) throw notFound(scope);
    return { ...scope, from: new Date(from).toISOString(), to: new Date(to).toISOString(), shifts };
  });

  app.get('/api/oee', routeOf(api.oee.oee), async (request) => {
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
