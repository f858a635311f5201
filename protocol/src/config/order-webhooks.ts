import { z } from 'zod';
import { idSchema } from '../ids';

/**
 * Order status webhooks (docs/config-reference.md "orders", docs/decisions.md "Issue 20 —
 * the Import page, exports and order status webhooks"): where an ERP hears that an order
 * was released, started, held, resumed, completed, cancelled or became at risk of being late.
 */
export const ORDER_STATUS_EVENTS = [
  'released',
  'started',
  'held',
  'resumed',
  'completed',
  'cancelled',
  'late-risk',
] as const;
export const orderStatusEventSchema = z.enum(ORDER_STATUS_EVENTS);
export type OrderStatusEvent = z.infer<typeof orderStatusEventSchema>;

const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'the name of an environment variable (A-Z, 0-9, _)');

export const orderStatusWebhookSchema = z.strictObject({
  id: idSchema,
  /** The variable holding the receiver's URL: a URL is a secret, as for alert channels. */
  urlEnv: envName,
  /** The variable holding the HMAC-SHA256 key; every delivery is signed. */
  secretEnv: envName,
  /** Which events go to this receiver (all of them by default). */
  events: z
    .array(orderStatusEventSchema)
    .min(1)
    .default([...ORDER_STATUS_EVENTS]),
});
export type OrderStatusWebhook = z.output<typeof orderStatusWebhookSchema>;

export const orderSettingsSchema = z
  .strictObject({
    statusWebhooks: z.array(orderStatusWebhookSchema).default([]),
  })
  .refine((o) => new Set(o.statusWebhooks.map((w) => w.id)).size === o.statusWebhooks.length, {
    message: 'two status webhooks have the same id',
    path: ['statusWebhooks'],
  });
export type OrderSettings = z.output<typeof orderSettingsSchema>;
