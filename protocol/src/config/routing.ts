import { z } from 'zod';
import { idSchema } from '../ids';

/**
 * A product's default routing (docs/work-orders.md "Import"): the operations an imported
 * order gets when its row names none, in order, each on a machine or station of the plant.
 */
export const productRoutingSchema = z
  .array(z.strictObject({ id: idSchema, machine: idSchema }))
  .min(1)
  .max(50);
export type ProductRouting = z.output<typeof productRoutingSchema>;
