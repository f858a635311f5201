import { api, pickLang } from '@takt/protocol';
import { INGEST_ERRORS, IngestError } from '../errors';
import { WORK_ORDERS_CONSUMER } from '../consumers/work-orders';
import { importFile } from '../work-orders/import-file';
import { createImportReader, importWorkerProblem } from '../work-orders/import-reader';
import { IMPORT_LIMITS } from '../work-orders/read-import';
import { kpis, listOrders, orderOee } from '../queries/orders';
import { createOrders, loadOrder } from '../work-orders/store';
import { orderView } from '../work-orders/view';
import { plantTimeZone, readerOf } from '../queries/message-text';
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
export const workOrdersPlugin: IngestPlugin = (app, { pool, consumers, plant }) => {
  // Reads see every batch already committed: the work-orders consumer has applied them.
  const settled = () => consumers.settled(WORK_ORDERS_CONSUMER);

  // The CSV arrives as bytes: its encoding is found when it is read (work-orders/decode.ts).
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'buffer', bodyLimit: 5 * 1024 * 1024 },
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

  app.post('/api/work-orders/import', routeOf(api.orders.import), async (request) => {
    const { body } = request as { body: unknown };
    const type = String(request.headers['content-type'] ?? '');
    const kind = !Buffer.isBuffer(body)
      ? undefined
      : type.startsWith('text/csv')
        ? 'csv'
        : type.startsWith(XLSX_TYPE)
          ? 'xlsx'
          : undefined;
    if (!kind)
      throw new IngestError(
        'INGEST_ERR_BAD_REQUEST',
        `send the file as text/csv or ${XLSX_TYPE} (.xlsx)`,
        415,
      );
    const { mapping, dryRun, encoding, validRows, lang } = request.query;
    const principal = request.principal;
    // Read in a worker thread with a time limit (work-orders/import-reader.ts).
    return importFile(pool, reader, {
      kind,
      data: body as Buffer,
      mapping,
      encoding,
      dryRun,
      validRows,
      actor: { by: principal?.kind === 'user' ? principal.name : 'api', source: 'import' },
      lang: pickLang(lang, request.headers['accept-language']),
    });
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
    const reader = readerOf(request, await plantTimeZone(pool, plant));
    const view = await orderView(pool, request.params.id, reader);
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
