import { z } from 'zod';
import { MANAGERS, defineRoute } from './contract';
import { isoTimeSchema } from './common';
import { orderStatusSchema } from './orders';

/** The columns of the order export, in order (ingest/src/queries/order-export.ts). */
export const ORDER_EXPORT_COLUMNS = [
  'order',
  'product',
  'customer',
  'order_quantity',
  'order_status',
  'operation',
  'machine',
  'operation_status',
  'started_at',
  'finished_at',
  'good',
  'rejected',
  'operator_hours',
  'operators',
] as const;

export const orderExportQuerySchema = z.strictObject({
  status: orderStatusSchema
    .optional()
    .describe('only orders in this status (`completed`: what a completion receipt takes)'),
  from: isoTimeSchema
    .optional()
    .describe('operations finished at or after this time (default: 31 days before `to`)'),
  to: isoTimeSchema.optional().describe('operations finished before this time (default: now)'),
  format: z.enum(['csv', 'xlsx']).default('csv'),
});
export type OrderExportQuery = z.infer<typeof orderExportQuerySchema>;

export const orderExportRoutes = {
  export: defineRoute({
    method: 'GET',
    path: '/api/work-orders/export',
    access: MANAGERS,
    summary: 'Finished operations for the ERP (completion receipt): good, rejected, operator hours',
    description:
      'One row per operation finished in [from, to): the order, product, customer, machine, ' +
      'finish time, good and rejected pieces and operator hours (docs/decisions.md "Issue 20 — the Import page, exports and order status webhooks"). ' +
      'CSV (formula-safe) or, with format=xlsx, an Excel workbook with the same columns.',
    query: orderExportQuerySchema,
    response: z.string(),
    csv: 'only',
    responseDescription: ORDER_EXPORT_COLUMNS.join(','),
    errors: { 400: 'the query is wrong' },
  }),
};
