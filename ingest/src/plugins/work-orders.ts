import { workOrderInputSchema } from '@takt/protocol';
import { isStalled, orderProgress } from '../domain/work-orders';
import { INGEST_ERRORS, IngestError } from '../errors';
import { MODE_ACTIONS, recordMode } from '../queries/modes';
import { assignStopReason } from '../queries/stop-reasons';
import { applyStationScan, attributeCounts } from '../work-orders/apply';
import { parseWorkOrderCsv } from '../work-orders/csv';
import { createOrders, loadOrder } from '../work-orders/store';
import { badRequest } from './bad-request';
import type { IngestPlugin } from './types';

const STALL_AFTER_MS = 2 * 3_600_000;

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
          const action = scan.payload.action?.toLowerCase() ?? '';
          if (action === 'reason' && scan.payload.reason) {
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
          } else if (Object.hasOwn(MODE_ACTIONS, action)) {
            // A mode card (changeover, cleaning, maintenance, production) at the station.
            await recordMode(pool, scan.machineId, scan.payload.ts, MODE_ACTIONS[action]!, 'scan', {
              code: scan.payload.code,
              operator: scan.payload.operator ?? null,
            });
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

  app.post('/api/work-orders', async (request, reply) => {
    const parsed = workOrderInputSchema.safeParse(request.body);
    if (!parsed.success) throw badRequest(parsed.error);
    const errors = await createOrders(pool, [parsed.data], () => 0);
    if (errors.length > 0)
      throw new IngestError('INGEST_ERR_BAD_REQUEST', errors.map((e) => e.message).join('; '), 409);
    return reply.code(201).send({ id: parsed.data.id });
  });

  app.post('/api/work-orders/import', async (request, reply) => {
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

  app.get<{ Params: { id: string } }>('/api/work-orders/:id', async (request) => {
    await chain; // reads see every batch already committed
    const record = await loadOrder(pool, request.params.id);
    if (!record)
      throw new IngestError(
        'INGEST_ERR_NOT_FOUND',
        INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`work order "${request.params.id}"`),
        404,
      );
    const { order } = record;
    const last = order.operations.at(-1)!;
    const rate = await pool.query<{ good: string; last_at: Date | null; since: Date | null }>(
      `SELECT coalesce(sum(good) FILTER (WHERE time > now() - interval '1 hour'), 0) AS good,
              max(time) FILTER (WHERE good > 0) AS last_at
         FROM work_order_events WHERE work_order_id = $1 AND kind = 'count' AND operation_id = $2`,
      [order.id, last.id],
    );
    const now = Date.now();
    const progress = orderProgress(order, now, Number(rate.rows[0]!.good));
    const history = await pool.query(
      'SELECT time, kind, operation_id AS operation, good, rejected, detail FROM work_order_events WHERE work_order_id = $1 ORDER BY time DESC, id DESC LIMIT 100',
      [order.id],
    );
    return {
      id: order.id,
      product: record.product,
      customer: record.customer,
      priority: record.priority,
      quantity: order.quantity,
      dueAt: order.dueAt === null ? null : new Date(order.dueAt).toISOString(),
      ...progress,
      eta: progress.eta === null ? null : new Date(progress.eta).toISOString(),
      stalled: isStalled(order, rate.rows[0]!.last_at?.getTime() ?? null, now, STALL_AFTER_MS),
      operations: order.operations.map((o) => ({
        ...o,
        startedAt: o.startedAt === null ? null : new Date(o.startedAt).toISOString(),
        completedAt: o.completedAt === null ? null : new Date(o.completedAt).toISOString(),
      })),
      history: history.rows,
    };
  });
};
