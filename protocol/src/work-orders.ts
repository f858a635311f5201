import { z } from 'zod';
import { idSchema } from './ids';
import { isoTimeSchema } from './live';

/** `POST /api/work-orders` body, and one row of a CSV import after parsing. */
export const workOrderInputSchema = z.strictObject({
  id: idSchema,
  product: idSchema,
  quantity: z.number().int().positive().max(10_000_000),
  dueAt: isoTimeSchema.optional(),
  customer: z.string().min(1).max(128).optional(),
  priority: z.number().int().min(0).max(9).default(0),
  /** The routing: operations in order, each on a machine or station. */
  operations: z
    .array(z.strictObject({ id: idSchema, machine: idSchema }))
    .min(1)
    .max(50),
});
export type WorkOrderInput = z.output<typeof workOrderInputSchema>;

/** The columns of an ERP export Takt imports (docs/work-orders.md). */
export const WORK_ORDER_CSV_COLUMNS = [
  'order_id',
  'product',
  'quantity',
  'due_date',
  'customer',
  'priority',
  'routing',
] as const;
