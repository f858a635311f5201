import { z } from 'zod';
import { idSchema } from '../ids';
import { isoTimeSchema } from '../live';
import { MANAGERS, defineRoute } from './contract';
import { stringIdParams } from './common';

/**
 * Changes to a work order, each logged in its history as a `changed` event (docs/decisions.md,
 * "Issue 20 — order changes and their trail"). A refusal is a 409 whose `message` is rendered
 * in the language asked (`lang=`, then Accept-Language) with `messageKey` and `messageParams`.
 */

/** `lang=en|zh-CN` for the refusal's words (else Accept-Language, else English). */
const langQuery = z.strictObject({ lang: z.string().max(16).optional() });

const operationSchema = z.strictObject({ id: idSchema, machine: idSchema });

export const orderPatchSchema = z
  .strictObject({
    quantity: z.number().int().positive().max(10_000_000).optional(),
    dueAt: isoTimeSchema.nullable().optional(),
    priority: z.number().int().min(0).max(9).optional(),
    customer: z.string().min(1).max(128).nullable().optional(),
    routing: z
      .array(operationSchema)
      .min(1)
      .max(50)
      .optional()
      .describe('the whole routing; operations already started or done stay as they are'),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), {
    message: 'name at least one of quantity, dueAt, priority, customer, routing',
  })
  .meta({ id: 'WorkOrderPatch' });
export type OrderPatchBody = z.infer<typeof orderPatchSchema>;

export const fieldChangeSchema = z.object({
  field: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});

const changedAnswer = z.object({ id: z.string(), changes: z.array(fieldChangeSchema) });
const reasonBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });
const refusals = {
  400: 'the body is wrong',
  404: 'no such work order',
  409: 'refused, with the reason: { code: INGEST_ERR_ORDER_CHANGE, message, messageKey, messageParams }',
} as const;

export const orderChangeRoutes = {
  patch: defineRoute({
    method: 'PATCH',
    path: '/api/work-orders/:id',
    access: MANAGERS,
    summary:
      'Change quantity, due date, priority, customer, or the routing of operations not yet started',
    params: stringIdParams,
    query: langQuery,
    body: orderPatchSchema,
    response: changedAnswer,
    responseDescription: 'the fields changed, before and after (none: nothing differed)',
    errors: refusals,
  }),
  hold: defineRoute({
    method: 'POST',
    path: '/api/work-orders/:id/hold',
    access: MANAGERS,
    summary: 'Hold an order: station scans are refused and no ETA is promised until it resumes',
    params: stringIdParams,
    query: langQuery,
    body: reasonBody,
    response: changedAnswer,
    errors: refusals,
  }),
  resume: defineRoute({
    method: 'POST',
    path: '/api/work-orders/:id/resume',
    access: MANAGERS,
    summary: 'Resume a held order',
    params: stringIdParams,
    query: langQuery,
    response: changedAnswer,
    errors: refusals,
  }),
  cancel: defineRoute({
    method: 'POST',
    path: '/api/work-orders/:id/cancel',
    access: MANAGERS,
    summary: 'Cancel an order for good, with a reason: off the boards, alerts and on-time counts',
    params: stringIdParams,
    query: langQuery,
    body: reasonBody,
    response: changedAnswer,
    errors: refusals,
  }),
  split: defineRoute({
    method: 'POST',
    path: '/api/work-orders/:id/split',
    access: MANAGERS,
    summary:
      'Split pieces off into a new order: the pieces made stay; the new one gets the operations not yet done',
    params: stringIdParams,
    query: langQuery,
    body: z.strictObject({
      quantity: z.number().int().positive().max(10_000_000).describe('pieces to move'),
      newId: idSchema.optional().describe('default: <id>-2, <id>-3, …'),
    }),
    status: 201,
    response: changedAnswer.extend({ newId: z.string() }),
    errors: refusals,
  }),
};

/** socket.io event to the plant room after a change: screens showing the order load it again. */
export const ORDER_LIVE_EVENTS = { changed: 'orders:changed' } as const;
export const orderChangedEventSchema = z.object({
  id: z.string(),
  change: z.enum(['edit', 'hold', 'resume', 'cancel', 'split', 'import']),
  /** The order a split made. */
  newId: z.string().optional(),
});
export type OrderChangedEvent = z.infer<typeof orderChangedEventSchema>;
