import { api, type historyQuerySchema } from '@takt/protocol';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { INGEST_ERRORS, IngestError } from '../errors';
import { HISTORY_LIMITS, planHistory } from '../queries/history-plan';
import { historyCsv, machineTags, readHistory, TooManyRows } from '../queries/history';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

/** The query as `historyQuerySchema` (protocol/src/api/history.ts) checked it. */
type HistoryQuery = z.output<typeof historyQuerySchema>;

const fail = (reason: string) =>
  new IngestError('INGEST_ERR_BAD_REQUEST', INGEST_ERRORS.INGEST_ERR_BAD_REQUEST(reason), 400);

/**
 * The historian: `GET /api/history` (JSON, or CSV with `format=csv`) and
 * `GET /api/history.csv`. Raw rows or buckets (min / max / avg / last / count) for a
 * machine's tags over a window; wide windows read the per-minute or per-hour rollups.
 * Every request is bounded before the database sees it (src/queries/history-plan.ts).
 */
export const historyPlugin: IngestPlugin = (app, { pool }) => {
  const handle = async (q: HistoryQuery, forceCsv: boolean) => {
    const planned = planHistory({
      fromMs: Date.parse(q.from),
      toMs: q.to === undefined ? Date.now() : Date.parse(q.to),
      points: q.points,
      bucket: q.bucket,
    });
    if (!planned.ok) throw fail(planned.reason);
    const known = await machineTags(pool, q.machine);
    if (!known) throw fail(`unknown machine "${q.machine}"`);
    const tags =
      q.tag === undefined
        ? known.filter((t) => t.numeric).map((t) => t.tag)
        : [...new Set(q.tag.split(',').map((t) => t.trim()))];
    if (tags.length === 0) throw fail(`machine "${q.machine}" has reported no numeric tags yet`);
    if (tags.length > HISTORY_LIMITS.maxTags)
      throw fail(`${tags.length} tags asked for; name at most ${HISTORY_LIMITS.maxTags} in tag=`);
    const unknown = tags.filter((t) => !known.some((k) => k.tag === t));
    if (unknown.length > 0)
      throw fail(`machine "${q.machine}" has no tag ${unknown.map((t) => `"${t}"`).join(', ')}`);
    try {
      const strings = new Set(known.filter((t) => !t.numeric).map((t) => t.tag));
      const result = await readHistory(pool, q.machine, tags, planned.plan, strings);
      return { result, csv: forceCsv || q.format === 'csv' };
    } catch (error) {
      if (error instanceof TooManyRows)
        throw fail(
          `the window holds more than ${HISTORY_LIMITS.maxRawRows} raw samples; narrow it or use buckets`,
        );
      throw error;
    }
  };

  const sendCsv = (reply: FastifyReply, result: Awaited<ReturnType<typeof handle>>['result']) => {
    const name = `${result.machine}_${result.from.slice(0, 10)}_${result.bucket}.csv`;
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(historyCsv(result));
  };

  app.get('/api/history', routeOf(api.history.history), async (request, reply) => {
    const out = await handle(request.query, false);
    return out.csv ? sendCsv(reply, out.result) : out.result;
  });
  app.get('/api/history.csv', routeOf(api.history.csv), async (request, reply) => {
    const out = await handle(request.query, true);
    return sendCsv(reply, out.result);
  });
};
