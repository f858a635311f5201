import { api } from '@takt/protocol';
import type { FastifyReply } from 'fastify';
import { INGEST_ERRORS, IngestError } from '../errors';
import { WORK_ORDERS_CONSUMER } from '../consumers/work-orders';
import { createImportReader, importWorkerProblem } from '../work-orders/import-reader';
import { IMPORT_LIMITS } from '../work-orders/read-import';
import { kpis, listOrders, orderOee } from '../queries/orders';
import { createOrders, loadOrder } from '../work-orders/store';
import { orderView } from '../work-orders/view';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** 404 for an order id that is not in Takt (the order routes and its history). */
export const orderNotFound = (id: string) =>
  new IngestError(
    'INGEST_ERR_NOT_FOUND',
    INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`work order "${id}"`),
    404,
  );

/**
 * Work orders: created by the API or a CSV import, read with progress and ETA. Station scans
 * and machine counts drive them after each commit (consumers/work-orders.ts).
 */
export const workOrdersPlugin: IngestPlugin = (app, { pool, consumers }) => {
  // Reads see every batch already committed: the work-orders consumer has applied them.
  const settled = () => consumers.settled(WORK_ORDERS_CONSUMER);

  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'string', bodyLimit: 5 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  );

  app.post('/api/work-orders', routeOf(api.orders.create), async (request, reply) => {
    const order = request.body;
    const errors = await createOrders(pool, [order], () => 0);
    if (errors.length > 0)
      throw new IngestError('INGEST_ERR_BAD_REQUEST', errors.map((e) => e.message).join('; '), 409);
    return reply.code(201).send({ id: order.id });
  });

  app.addContentTypeParser(
    XLSX_TYPE,
    { parseAs: 'buffer', bodyLimit: 10 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  );

  const reader = createImportReader(IMPORT_LIMITS);
  const workerProblem = importWorkerProblem();
  if (workerProblem)
    throw new IngestError(
      'INGEST_ERR_IMPORT_WORKER',
      INGEST_ERRORS.INGEST_ERR_IMPORT_WORKER(workerProblem),
    );
  app.addHook('onClose', () => reader.stop());

  app.post('/api/work-orders/import', routeOf(api.orders.import), async (request, reply) => {
    const { body } = request as { body: unknown };
    const kind = typeof body === 'string' ? 'csv' : Buffer.isBuffer(body) ? 'xlsx' : undefined;
    if (!kind)
      throw new IngestError(
        'INGEST_ERR_BAD_REQUEST',
        `send the file as text/csv or ${XLSX_TYPE} (.xlsx)`,
        415,
      );
    const zone = await pool.query<{ time_zone: string }>(
      'SELECT time_zone FROM sites ORDER BY id LIMIT 1',
    );
    const timeZone = zone.rows[0]?.time_zone ?? 'UTC';
    // Read in a worker thread with a time limit (work-orders/import-reader.ts).
    const reading = reader.read({ kind, data: body as string | Buffer, timeZone });
    if (!reading)
      throw new IngestError('INGEST_ERR_IMPORT_BUSY', INGEST_ERRORS.INGEST_ERR_IMPORT_BUSY(), 429);
    const outcome = await reading;
    if (!outcome.ok)
      throw new IngestError(
        outcome.status === 413 ? 'INGEST_ERR_IMPORT_LIMIT' : 'INGEST_ERR_BAD_REQUEST',
        outcome.message,
        outcome.status,
      );
    const { orders, errors } = outcome;
    const all = errors.length > 0 ? errors : await createOrders(pool, orders, (i) => i + 2);
    if (all.length > 0) {
      // An answer the contract lists among its errors, not its main one: sent untyped.
      return (reply as FastifyReply).code(422).send({
        error: 'Unprocessable Entity',
        code: 'INGEST_ERR_IMPORT',
        message: `nothing imported: ${all.length} problem(s)`,
        errors: all,
      });
    }
    return reply.code(201).send({ imported: orders.length, ids: orders.map((o) => o.id) });
  });

  const findOrder = async (id: string) => {
    await settled(); // reads see every batch already committed
    const record = await loadOrder(pool, id);
    if (!record) throw orderNotFound(id);
    return record;
  };

  app.get('/api/work-orders', routeOf(api.orders.list), async (request) => {
    await settled();
    return listOrders(pool, request.query);
  });

  app.get('/api/work-orders/:id', routeOf(api.orders.get), async (request) => {
    await settled(); // reads see every batch already committed
    const view = await orderView(pool, request.params.id);
    if (!view) throw orderNotFound(request.params.id);
    return view;
  });

  app.get('/api/work-orders/:id/oee', routeOf(api.orders.oee), async (request) =>
    orderOee(pool, await findOrder(request.params.id)),
  );

  app.get('/api/kpis', routeOf(api.orders.kpis), async (request) => {
    const { from, to, customer } = request.query;
    await settled();
    return { from, to, ...(await kpis(pool, Date.parse(from), Date.parse(to), customer)) };
  });
};
