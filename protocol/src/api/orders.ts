import { z } from 'zod';
import { workOrderInputSchema } from '../work-orders';
import { BOARD, MANAGERS, STAFF, defineRoute } from './contract';
import { isoTimeSchema, stringIdParams, timeOut, windowChecked } from './common';
import { oeeFiguresSchema } from './oee';
import { importRoute } from './imports';
import { orderChangeRoutes } from './order-changes';

/** held and cancelled: a person's decision (docs/decisions.md, "Issue 20 — order changes and their trail"). */
export const ORDER_STATUSES = [
  'released',
  'in_progress',
  'paused',
  'completed',
  'held',
  'cancelled',
] as const;
export const orderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof orderStatusSchema>;
export const OPERATION_STATUSES = ['pending', 'running', 'paused', 'done'] as const;
export const operationStatusSchema = z.enum(OPERATION_STATUSES);
export type OperationStatus = z.infer<typeof operationStatusSchema>;

/** ingest/src/domain/order-kpis.ts `OrderHealth`: one number a planner can sort by. */
export const orderHealthSchema = z.object({
  score: z.number().describe('0-100: half schedule, a quarter flow, a quarter quality'),
  parts: z.object({ schedule: z.number(), flow: z.number(), quality: z.number() }),
});

/** A person's hold or cancel of an order: when, who, why. */
export const orderStopSchema = z.object({
  at: timeOut,
  by: z.string().nullable(),
  reason: z.string().nullable(),
});

/** One order as GET /api/work-orders lists it (ingest/src/queries/orders.ts `orderView`). */
export const orderViewSchema = z
  .object({
    id: z.string(),
    product: z.string().nullable(),
    customer: z.string().nullable(),
    priority: z.number(),
    quantity: z.number(),
    createdAt: timeOut,
    dueAt: timeOut.nullable(),
    status: orderStatusSchema,
    good: z.number(),
    rejected: z.number(),
    progress: z.number().describe('0..1'),
    eta: timeOut.nullable(),
    promisedAt: timeOut
      .nullable()
      .describe(
        "the plan's promise date (GET /api/plan); null while the plan has not placed the order",
      ),
    p10: timeOut.nullable().describe("the plan's band around the promise: fast end"),
    p90: timeOut.nullable().describe("the plan's band around the promise: slow end"),
    lateRisk: z.boolean(),
    stalled: z.boolean(),
    currentOperation: z
      .object({ id: z.string(), machine: z.string(), status: operationStatusSchema })
      .nullable(),
    health: orderHealthSchema,
    held: orderStopSchema.nullable().describe('on hold: scans refused, no ETA'),
    cancelled: orderStopSchema.nullable(),
    splitFrom: z.string().nullable().describe('the order this one was split from'),
    operations: z.array(
      z.object({
        id: z.string(),
        machine: z.string(),
        status: operationStatusSchema,
        good: z.number(),
        rejected: z.number(),
        progress: z.number(),
        remaining: z.number().describe('pieces still to make'),
        ratePerHour: z.number().nullable(),
        rateSource: z.enum(['recent', 'ideal']).nullable(),
        eta: timeOut.nullable(),
        startedAt: timeOut.nullable(),
        completedAt: timeOut.nullable(),
      }),
    ),
  })
  .meta({ id: 'WorkOrder' });
export type OrderView = z.infer<typeof orderViewSchema>;

/** GET /api/work-orders/:id: the order with its latest 100 events, newest first. */
export const orderDetailSchema = orderViewSchema
  .extend({
    history: z.array(
      z.object({
        time: timeOut,
        kind: z.string(),
        operation: z.string().nullable(),
        good: z.number().nullable(),
        rejected: z.number().nullable(),
        detail: z.record(z.string(), z.unknown()).nullable(),
        message: z
          .string()
          .nullable()
          .describe('a refused scan: why, in the language asked (`lang=`, then Accept-Language)'),
        messageKey: z.string().nullable().describe('the message key (protocol/src/messages/)'),
        messageParams: z.record(z.string(), z.unknown()).nullable(),
      }),
    ),
  })
  .meta({ id: 'WorkOrderDetail' });
export type OrderDetail = z.infer<typeof orderDetailSchema>;

const oeeOf = oeeFiguresSchema.partial();

const notFound = { 404: 'no such work order' };

export const orderRoutes = {
  ...orderChangeRoutes,
  list: defineRoute({
    method: 'GET',
    path: '/api/work-orders',
    access: BOARD,
    summary: 'Orders with progress, ETA, risk and health; open ones unless a status is given',
    query: z.strictObject({
      status: orderStatusSchema.optional(),
      customer: z.string().min(1).max(128).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
    response: z.array(orderViewSchema),
    responseDescription: 'the orders, each as GET /api/work-orders/{id} without history',
    errors: { 400: 'the query is wrong' },
  }),
  create: defineRoute({
    method: 'POST',
    path: '/api/work-orders',
    access: MANAGERS,
    summary: 'Create one work order',
    body: workOrderInputSchema.meta({ id: 'WorkOrderInput' }),
    status: 201,
    response: z.object({ id: z.string() }),
    errors: { 400: 'the body is wrong', 409: 'the id exists already or the product is unknown' },
  }),
  import: importRoute,
  get: defineRoute({
    method: 'GET',
    path: '/api/work-orders/:id',
    access: STAFF,
    summary:
      "An order's status, good, rejected, progress, ETA, late risk, stalled, health, operations and history",
    params: stringIdParams,
    query: z.strictObject({ lang: z.string().max(16).optional() }),
    response: orderDetailSchema,
    errors: notFound,
  }),
  oee: defineRoute({
    method: 'GET',
    path: '/api/work-orders/:id/oee',
    access: STAFF,
    summary:
      "OEE of one work order, in total and per operation (the machine's time while the operation ran)",
    params: stringIdParams,
    response: oeeOf.extend({
      id: z.string(),
      operations: z.array(
        oeeOf.extend({
          id: z.string(),
          machine: z.string(),
          runs: z
            .array(z.object({ from: timeOut, to: timeOut }))
            .describe('start to pause or complete'),
        }),
      ),
    }),
    errors: notFound,
  }),
  history: defineRoute({
    method: 'GET',
    path: '/api/work-orders/:id/history',
    access: STAFF,
    summary: "An order's scans and events (newest first) and its counts per operation and hour",
    params: stringIdParams,
    query: z.strictObject({ lang: z.string().max(16).optional() }),
    response: z.object({
      id: z.string(),
      events: z
        .array(
          z.object({
            time: timeOut,
            kind: z.string(),
            operation: z.string().nullable(),
            machine: z.string().nullable(),
            detail: z.record(z.string(), z.unknown()).nullable(),
            change: z
              .string()
              .nullable()
              .describe('a `changed` event: edit, hold, resume, cancel, split or import'),
            by: z.string().nullable().describe('a `changed` event: who changed the order'),
            before: z
              .record(z.string(), z.unknown())
              .nullable()
              .describe('a `changed` event: the fields it changed, as they were'),
            after: z
              .record(z.string(), z.unknown())
              .nullable()
              .describe('a `changed` event: the fields it changed, as they are now'),
            from: z
              .string()
              .nullable()
              .describe('the order this event was recorded on, when this one was split from it'),
            message: z
              .string()
              .nullable()
              .describe(
                'a refused scan: why, in the language asked (`lang=`, then Accept-Language)',
              ),
            messageKey: z.string().nullable().describe('the message key (protocol/src/messages/)'),
            messageParams: z.record(z.string(), z.unknown()).nullable(),
          }),
        )
        .describe('at most 1000'),
      counts: z
        .array(
          z.object({
            operation: z.string().nullable(),
            machine: z.string().nullable(),
            hourStart: timeOut,
            good: z.number(),
            rejected: z.number(),
          }),
        )
        .describe('at most 1000'),
    }),
    errors: notFound,
  }),
  kpis: defineRoute({
    method: 'GET',
    path: '/api/kpis',
    access: BOARD,
    summary: 'Delivery and shop-floor KPIs of orders over a window (at most 366 days)',
    query: windowChecked(
      z.strictObject({
        from: isoTimeSchema,
        to: isoTimeSchema,
        customer: z.string().min(1).max(128).optional(),
      }),
      366,
    ),
    response: z.object({
      from: z.string(),
      to: z.string(),
      completed: z.number(),
      withDueDate: z.number(),
      onTime: z.number(),
      onTimeRate: z.number().nullable(),
      leadTime: z
        .object({ meanMs: z.number(), stdDevMs: z.number(), cv: z.number() })
        .nullable()
        .describe('created to completed; null without completed orders'),
      good: z.number(),
      rejected: z.number(),
      scrapRate: z.number().nullable(),
      operatorHours: z.number(),
      outputPerOperatorHour: z.number().nullable(),
    }),
    responseDescription: 'delivery (ingest/src/domain/order-kpis.ts) and shop-floor figures',
    errors: { 400: 'the query is wrong' },
  }),
};
