import type { FastifyRequest } from 'fastify';
import { CUSTOMER_ONLY } from '../auth/access';
import { INGEST_ERRORS, IngestError } from '../errors';
import { customerOrderView, orderView } from '../work-orders/view';
import type { IngestPlugin } from './types';

/**
 * Customer order tracking (issues 6 and 9): a customer token reads its own customer's
 * orders and nothing else. Another customer's order answers 404, as one that does not
 * exist: a token cannot even learn which order numbers are taken.
 */
export const trackPlugin: IngestPlugin = (app, { pool }) => {
  const customerOf = (request: FastifyRequest) => {
    const p = request.principal;
    return p?.kind === 'customer' ? p.customer : undefined;
  };

  app.get('/api/track/orders', { config: { access: CUSTOMER_ONLY } }, async (request) => {
    const customer = customerOf(request)!;
    const { rows } = await pool.query<{ id: string }>(
      'SELECT id FROM work_orders WHERE customer = $1 ORDER BY due_at NULLS LAST, id LIMIT 200',
      [customer],
    );
    const orders = [];
    for (const { id } of rows) {
      const view = await orderView(pool, id);
      if (view) orders.push(customerOrderView(view));
    }
    return { customer, orders };
  });

  app.get<{ Params: { id: string } }>(
    '/api/track/orders/:id',
    { config: { access: CUSTOMER_ONLY } },
    async (request) => {
      const view = await orderView(pool, request.params.id);
      if (!view || view.customer !== customerOf(request))
        throw new IngestError(
          'INGEST_ERR_NOT_FOUND',
          INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`order "${request.params.id}"`),
          404,
        );
      return customerOrderView(view);
    },
  );
};
