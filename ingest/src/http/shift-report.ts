import { api } from '@takt/protocol';
import { INGEST_ERRORS, IngestError } from '../errors';
import { shiftReportOf, type ReportScope } from '../queries/shift-report';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

/**
 * `GET /api/oee/shift-report?site=<id>|line=<id>|machine=<id>&from=&to=`: OEE per shift ×
 * machine, per shift, per plant day and in total, added up here rather than in the browser.
 */
export const shiftReportPlugin: IngestPlugin = (app, { pool }) => {
  app.get('/api/oee/shift-report', routeOf(api.shiftReport.shiftReport), async (request) => {
    const { site, line, machine, from, to } = request.query;
    const scope: ReportScope = site ? { site } : line ? { line } : { machine: machine! };
    const fromMs = Date.parse(from);
    const toMs = Date.parse(to);
    const report = await shiftReportOf(pool, scope, fromMs, toMs);
    if (!report) {
      const [kind, id] = Object.entries(scope)[0]!;
      throw new IngestError(
        'INGEST_ERR_NOT_FOUND',
        INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`${kind} "${id}"`),
        404,
      );
    }
    return {
      ...scope,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      ...report,
    };
  });
};
