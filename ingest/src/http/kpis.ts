import { api } from '@takt/protocol';
import { WORK_ORDERS_CONSUMER } from '../consumers/work-orders';
import { orderScrap, quality, weeklyKpis } from '../queries/kpis';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';
import { orderNotFound } from './work-orders';

/**
 * The KPI board's weeks, quality on analytics and scrap per order (docs/decisions.md
 * "Issue 19 — KPI board and quality on analytics").
 */
export const kpisPlugin: IngestPlugin = (app, { pool, consumers }) => {
  // Reads see every batch already committed: the work-orders consumer has applied them.
  const settled = () => consumers.settled(WORK_ORDERS_CONSUMER);

  app.get('/api/kpis/weekly', routeOf(api.kpis.weekly), async (request) => {
    const { weeks, customer, product } = request.query;
    await settled();
    return weeklyKpis(pool, weeks, { customer, product }, Date.now());
  });

  app.get('/api/quality', routeOf(api.kpis.quality), async (request) => {
    const { from, to, customer, product } = request.query;
    await settled();
    return quality(pool, Date.parse(from), Date.parse(to), { customer, product });
  });

  app.get('/api/work-orders/:id/scrap', routeOf(api.kpis.orderScrap), async (request) => {
    await settled();
    const scrap = await orderScrap(pool, request.params.id);
    if (!scrap) throw orderNotFound(request.params.id);
    return scrap;
  });
};
