import { api } from '@takt/protocol';
import { plantTimeZone, readerOf } from '../queries/message-text';
import { orderHistory } from '../queries/order-history';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';
import { orderNotFound } from './work-orders';

/**
 * `GET /api/work-orders/:id/history`: the order's scans and events, and its counts per
 * operation and hour, for the work-order page (issue 8).
 */
export const workOrderHistoryPlugin: IngestPlugin = (app, { pool, plant }) => {
  app.get('/api/work-orders/:id/history', routeOf(api.orders.history), async (request) => {
    const reader = readerOf(request, await plantTimeZone(pool, plant));
    const history = await orderHistory(pool, request.params.id, reader);
    if (!history) throw orderNotFound(request.params.id);
    return history;
  });
};
