import { z } from 'zod';
import { CUSTOMER_ONLY, defineRoute } from './contract';
import { stringIdParams, timeOut } from './common';
import { operationStatusSchema, orderStatusSchema } from './orders';

export const trackedOrderSchema = z
  .object({
    id: z.string(),
    product: z.string().nullable(),
    quantity: z.number(),
    dueAt: timeOut.nullable(),
    status: orderStatusSchema,
    stage: z.object({ operation: z.string(), status: operationStatusSchema }).nullable(),
    stages: z.array(
      z.object({
        operation: z.string(),
        status: operationStatusSchema,
        progress: z.number(),
        startedAt: timeOut.nullable(),
        completedAt: timeOut.nullable(),
      }),
    ),
    good: z.number(),
    progress: z.number(),
    eta: timeOut.nullable(),
    lateRisk: z.boolean(),
    history: z.array(
      z.object({ time: timeOut, event: z.string(), operation: z.string().nullable() }),
    ),
  })
  .meta({ id: 'TrackedOrder' });
export type TrackedOrder = z.infer<typeof trackedOrderSchema>;

export const trackAnswerSchema = z.object({
  customer: z.string(),
  plant: z
    .object({ name: z.string(), timeZone: z.string() })
    .nullable()
    .describe("times are shown in the plant's zone"),
  orders: z.array(trackedOrderSchema),
});
export type TrackAnswer = z.infer<typeof trackAnswerSchema>;

export const trackRoutes = {
  orders: defineRoute({
    method: 'GET',
    path: '/api/track/orders',
    access: CUSTOMER_ONLY,
    summary: "The token's customer's orders: stage, progress, ETA, history",
    response: trackAnswerSchema,
  }),
  order: defineRoute({
    method: 'GET',
    path: '/api/track/orders/:id',
    access: CUSTOMER_ONLY,
    summary: "One of the token's customer's orders (another customer's answers 404)",
    params: stringIdParams,
    response: trackedOrderSchema,
    errors: { 404: 'no such order for this customer' },
  }),
};
