import { workOrderInputSchema } from '@takt/protocol';
import { INGEST_ERRORS, IngestError } from '../errors';
import { assignStopReason } from '../queries/stop-reasons';
import { applyStationScan, attributeCounts } from '../work-orders/apply';
import { parseWorkOrderCsv } from '../work-orders/csv';
import { createOrders } from '../work-orders/store';
import { orderView } from '../work-orders/view';
import { MANAGERS, STAFF } from '../auth/access';
import { badRequest } from './bad-request';
import type { IngestPlugin } from './types';

/**
 * Work orders: created by the API or a CSV import, driven by station scans and machine
 * counts (applied in arrival order, one batch after another), read with progress and ETA.
 */
export const workOrdersPlugin: IngestPlugin = (app, { pool, log, onBatch }) => {
  let chain: Promise<void> = Promise.resolve();
  onBatch((batch) => {
    if (batch.scans.length === 0 && batch.counts.length === 0) return;
    chain = chain
      .then(async () => {
        for (const scan of batch.scans) {
          if (scan.payload.action?.toLowerCase() === 'reason' && scan.payload.reason) {
            // A reason card scanned at a machine explains its latest unexplained stop.
            const outcome = await assignStopReason(
              pool,
              scan.machineId,
              scan.payload.reason,
              'scan',
            );
            if (!outcome.ok)
              log.info(
                { station: scan.machineId, reason: outcome.reason },
                'reason scan not applied',
              );
          } else await applyStationScan(pool, scan, log);
        }
        await attributeCounts(pool, batch.counts);
      })
      .catch((error: Error) => log.error({ err: error.message }, 'work-order update failed'));
  });

  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'string', bodyLimit: 5 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  );

  app.post('/api/work-orders', { config: { access: MANAGERS } }, async (request, reply) => {
    const parsed = workOrderInputSchema.safeParse(request.body);
    if (!parsed.success) throw badRequest(parsed.error);
    const errors = await createOrders(pool, [parsed.data], () => 0);
    if (errors.length > 0)
      throw new IngestError('INGEST_ERR_BAD_REQUEST', errors.map((e) => e.message).join('; '), 409);
    return reply.code(201).send({ id: parsed.data.id });
  });

  app.post('/api/work-orders/import', { config: { access: MANAGERS } }, async (request, reply) => {
    if (typeof request.body !== 'string')
      throw new IngestError(
        'INGEST_ERR_BAD_REQUEST',
        'send the CSV file with Content-Type: text/csv',
        415,
      );
    const { orders, errors } = parseWorkOrderCsv(request.body);
    const all = errors.length > 0 ? errors : await createOrders(pool, orders, (i) => i + 2);
    if (all.length > 0) {
      return reply.code(422).send({
        error: 'Unprocessable Entity',
        code: 'INGEST_ERR_IMPORT',
        message: `nothing imported: ${all.length} problem(s)`,
        errors: all,
      });
    }
    return reply.code(201).send({ imported: orders.length, ids: orders.map((o) => o.id) });
  });

  app.get<{ Params: { id: string } }>(
    '/api/work-orders/:id',
    { config: { access: STAFF } },
    async (request) => {
      await chain; // reads see every batch already committed
      const view = await orderView(pool, request.params.id);
      if (!view)
        throw new IngestError(
          'INGEST_ERR_NOT_FOUND',
          INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`work order "${request.params.id}"`),
          404,
        );
      return view;
    },
  );
};
