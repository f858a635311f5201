import { api } from '@takt/protocol';
import type { FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { INGEST_ERRORS, IngestError } from '../errors';
import { routeOf } from '../route-contract';
import { customerOrderView, orderView } from '../work-orders/view';
import type { IngestPlugin } from './types';

/**
 * The plant's name and time zone, for the customer's page to show times as the plant's
 * clock reads them (docs/dashboard.md): a customer token may not read `/api/plant` itself.
 */
async function plantFace(pool: Pool): Promise<{ name: string; timeZone: string } | null> {
  const { rows } = await pool.query<{ name: string | null; time_zone: string | null }>(
    "SELECT definition->'site'->>'name' AS name, definition->'site'->>'timeZone' AS time_zone FROM plant_models ORDER BY site_id LIMIT 1",
  );
  const row = rows[0];
  return row?.time_zone ? { name: row.name ?? '', timeZone: row.time_zone } : null;
}

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

  app.get('/api/track/orders', routeOf(api.track.orders), async (request) => {
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
    return { customer, plant: await plantFace(pool), orders };
  });

  app.get('/api/track/orders/:id', routeOf(api.track.order), async (request) => {
    const view = await orderView(pool, request.params.id);
    if (!view || view.customer !== customerOf(request))
      throw new IngestError(
        'INGEST_ERR_NOT_FOUND',
        INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`order "${request.params.id}"`),
        404,
      );
    return customerOrderView(view);
  });
};
