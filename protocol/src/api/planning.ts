/**
 * The plan (issue 21): every open order's remaining operations on a finite-capacity forward
 * plan, the line load it books, and the delivery-date calculator. The plan is computed by
 * ingest/src/domain/planning/ and kept by ingest/src/planning/ (docs/decisions.md "Issue 21 —
 * the plan in ingest, the single ETA"); the shapes are the shared contract of docs/decisions.md
 * "Issues 21/23/24 — shared choices made before the work".
 */
import { z } from 'zod';
import { MANAGERS, defineRoute, type Access } from './contract';
import { isoTimeSchema, timeOut } from './common';
import { orderHealthSchema } from './orders';

/** Who reads the plan: planners, maintenance, and the kiosk planning board. */
export const PLAN_READERS: readonly Access[] = ['admin', 'manager', 'maintenance', 'kiosk'];

const lineId = z.string().min(1).max(128);

export const plannedOperationSchema = z.object({
  order: z.string(),
  operation: z.string(),
  machine: z.string(),
  product: z.string(),
  remaining: z.number().describe('pieces still to make'),
  plannedStart: timeOut,
  plannedFinish: timeOut,
  p10Finish: timeOut.describe('the finish at the fast end of the rate spread'),
  p90Finish: timeOut.describe('the finish at the slow end of the rate spread'),
  changeoverMs: z.number().describe('changeover booked before the operation'),
  running: z.boolean().describe('running now: it stays on its machine and starts now'),
});
export type PlannedOperationView = z.infer<typeof plannedOperationSchema>;

export const plannedOrderSchema = z.object({
  order: z.string(),
  product: z.string().nullable(),
  quantity: z.number(),
  priority: z.number(),
  dueAt: timeOut.nullable(),
  promisedAt: timeOut.describe("the plan's finish of the last operation"),
  p10: timeOut,
  p90: timeOut,
  lateRisk: z.boolean().describe('promisedAt after dueAt'),
  health: orderHealthSchema,
});
export type PlannedOrderView = z.infer<typeof plannedOrderSchema>;

export const unplannableSchema = z.object({
  order: z.string(),
  operation: z.string().nullable().describe('null: the order as a whole'),
  reason: z.string().describe('in the language asked (`lang=`, then Accept-Language)'),
  reasonKey: z.string().describe('the message key (protocol/src/messages/)'),
  reasonParams: z.record(z.string(), z.unknown()),
});
export type UnplannableView = z.infer<typeof unplannableSchema>;

export const planSchema = z
  .object({
    computedAt: timeOut,
    timeZone: z.string().describe("the plant's time zone"),
    machines: z.array(z.object({ id: z.string(), name: z.string(), line: z.string().nullable() })),
    operations: z.array(plannedOperationSchema),
    orders: z.array(plannedOrderSchema),
    unplannable: z
      .array(unplannableSchema)
      .describe('orders the plan cannot place, with why; never dropped silently'),
  })
  .meta({ id: 'Plan' });
export type PlanView = z.infer<typeof planSchema>;

export const loadDaySchema = z.object({
  date: z.string().describe('plant day, YYYY-MM-DD'),
  bookedH: z.number().describe('hours of operations the plan puts on this day'),
  availableH: z.number().describe('working hours of the calendar on this day'),
  overloaded: z.boolean().describe('bookedH > availableH'),
});
export type LoadDayView = z.infer<typeof loadDaySchema>;

export const planLoadSchema = z
  .object({
    from: z.string().describe('the first plant day, YYYY-MM-DD'),
    days: z.array(z.string()),
    machines: z.array(
      z.object({ id: z.string(), line: z.string().nullable(), days: z.array(loadDaySchema) }),
    ),
    lines: z.array(z.object({ id: z.string(), days: z.array(loadDaySchema) })),
  })
  .meta({ id: 'PlanLoad' });
export type PlanLoad = z.infer<typeof planLoadSchema>;

/** One step of a routing given to the calculator: operation id and machine. */
export const promiseRoutingStepSchema = z.strictObject({
  id: z.string().min(1).max(64),
  machine: z.string().min(1).max(64),
});

export const promiseRequestSchema = z
  .strictObject({
    product: z.string().min(1).max(128),
    quantity: z
      .number()
      .int('must be a whole number of pieces')
      .positive('must be more than 0')
      .max(100_000_000),
    routing: z
      .array(promiseRoutingStepSchema)
      .min(1)
      .max(50)
      .optional()
      .describe("the operations in order; the product's routing in the plant model when left out"),
    wantedBy: isoTimeSchema.optional().describe('must be in the future'),
    priority: z.number().int().min(-1000).max(1000).default(0),
  })
  .meta({ id: 'PromiseRequest' });
export type PromiseRequest = z.input<typeof promiseRequestSchema>;

export const promiseAnswerSchema = z
  .object({
    promisedAt: timeOut,
    p10: timeOut,
    p90: timeOut,
    insertedAfter: z
      .string()
      .nullable()
      .describe('the order it would follow in priority order; null: first'),
    meetsWantedBy: z.boolean().nullable().describe('null: no wantedBy given'),
    operations: z.array(
      z.object({
        operation: z.string(),
        machine: z.string(),
        plannedStart: timeOut,
        plannedFinish: timeOut,
      }),
    ),
    delays: z
      .array(z.object({ order: z.string(), byMs: z.number() }))
      .describe('existing orders whose promise it would push, and by how much'),
  })
  .meta({ id: 'PromiseAnswer' });
export type PromiseAnswer = z.infer<typeof promiseAnswerSchema>;

const langQuery = { lang: z.string().max(16).optional() };

export const planRoutes = {
  plan: defineRoute({
    method: 'GET',
    path: '/api/plan',
    access: PLAN_READERS,
    summary:
      "The current finite-capacity plan: each open order's operations with planned start and finish, each order's promise date with its p10-p90 band, and the orders it cannot plan",
    description:
      'Filtered to one line (`line`) and to operations overlapping `from`..`to` when given; orders and unplannable orders stay whole. Recomputed on order changes, scans, plant reloads and at least hourly.',
    query: z
      .strictObject({
        line: lineId.optional(),
        from: isoTimeSchema.optional(),
        to: isoTimeSchema.optional(),
        ...langQuery,
      })
      .refine((q) => !q.from || !q.to || Date.parse(q.to) > Date.parse(q.from), {
        message: 'to must be after from',
        path: ['to'],
      }),
    response: planSchema,
    errors: { 400: 'the query is wrong' },
  }),
  load: defineRoute({
    method: 'GET',
    path: '/api/plan/load',
    access: PLAN_READERS,
    summary:
      'Line load: per machine and per line, hours booked by the plan against working hours per plant day, overloads flagged',
    query: z.strictObject({
      line: lineId.optional(),
      days: z.coerce.number().int().min(1).max(31).default(14),
    }),
    response: planLoadSchema,
    errors: { 400: 'the query is wrong' },
  }),
  promise: defineRoute({
    method: 'POST',
    path: '/api/promise',
    access: MANAGERS,
    summary:
      'The delivery-date calculator: when a new order would finish if released now, with its band, and which orders it would delay; changes nothing',
    query: z.strictObject(langQuery),
    body: promiseRequestSchema,
    response: promiseAnswerSchema,
    errors: {
      400: 'unknown product, a routing machine that does not exist, a quantity of 0 or less, wantedBy in the past, or a product without a routing and none given',
    },
  }),
};

/** Socket event to the plant's screens when a new plan is made (ingest/src/planning/service.ts). */
export const PLAN_LIVE_EVENTS = { changed: 'plan:changed' } as const;
export const planChangedEventSchema = z.object({ computedAt: timeOut });
export type PlanChangedEvent = z.infer<typeof planChangedEventSchema>;
