/**
 * Nonconformance records and rework (docs/decisions.md, "Issue 23 — nonconformance and
 * rework"): an NC opened from a reject or a failed inspection, its disposition (rework, scrap,
 * use-as-is with a manager's approval), pieces reworked, and the list and summary. A refusal
 * is a 409 (or a 400 for a reason the plant does not know) whose `message` is rendered in the
 * language asked (`lang=`, then Accept-Language) with `messageKey` and `messageParams`.
 */
import { z } from 'zod';
import { idSchema } from '../ids';
import { BOARD, STAFF, type Access, defineRoute } from './contract';
import { isoTimeSchema, numericIdParams, stringIdParams, timeOut, windowChecked } from './common';

/** Who opens, dispositions and reworks NCs: operators and their supervisors. */
export const NC_ACTORS: readonly Access[] = ['admin', 'manager', 'operator'];
/** Who may approve a use-as-is (concession). */
export const NC_APPROVER_ROLES = ['admin', 'manager'] as const;

export const NC_STATUSES = ['open', 'rework', 'closed'] as const;
export const NC_DISPOSITIONS = ['rework', 'scrap', 'use-as-is'] as const;
export const NC_SOURCES = ['reject', 'inspection'] as const;

const langQuery = z.strictObject({ lang: z.string().max(16).optional() });
const note = z.string().trim().min(1).max(500);
const pieces = z.number().int().min(0).max(10_000_000);

export const ncOpenSchema = z
  .strictObject({
    workOrder: idSchema,
    operation: idSchema,
    quantity: z.number().int().positive().max(10_000_000),
    reason: idSchema.describe('a reject reason of the plant model (reasons.reject[].id)'),
    source: z.enum(NC_SOURCES),
    characteristic: idSchema.optional().describe('the characteristic a failed inspection measured'),
    note: note.optional(),
  })
  .meta({ id: 'NonconformanceOpen' });
export type NcOpenBody = z.infer<typeof ncOpenSchema>;

export const ncDispositionSchema = z
  .strictObject({
    disposition: z.enum(NC_DISPOSITIONS),
    approver: idSchema
      .optional()
      .describe('required for use-as-is: a user with the manager or admin role'),
    note: note.optional(),
  })
  .refine((b) => b.disposition !== 'use-as-is' || b.approver !== undefined, {
    message: 'use-as-is needs an approver (a manager or admin)',
    path: ['approver'],
  })
  .meta({ id: 'NonconformanceDisposition' });
export type NcDispositionBody = z.infer<typeof ncDispositionSchema>;

export const ncReworkSchema = z
  .strictObject({
    good: pieces.describe('pieces reworked good: they count as good of the operation now'),
    scrapped: pieces.optional().describe('pieces found beyond rework: they stay rejected'),
    note: note.optional(),
  })
  .refine((b) => b.good + (b.scrapped ?? 0) > 0, {
    message: 'name at least one piece reworked good or scrapped',
    path: ['good'],
  })
  .meta({ id: 'NonconformanceRework' });
export type NcReworkBody = z.infer<typeof ncReworkSchema>;

export const ncChangeSchema = z.object({
  time: timeOut,
  change: z.enum(['open', 'disposition', 'rework']),
  by: z.string(),
  detail: z.record(z.string(), z.unknown()),
});

export const nonconformanceSchema = z
  .object({
    id: z.number(),
    workOrder: z.string(),
    operation: z.string(),
    product: z.string().nullable(),
    machine: z.string().nullable(),
    quantity: z.number(),
    reason: z.string(),
    source: z.enum(NC_SOURCES),
    characteristic: z.string().nullable(),
    note: z.string().nullable(),
    status: z.enum(NC_STATUSES),
    disposition: z.enum(NC_DISPOSITIONS).nullable(),
    approver: z.string().nullable(),
    reworked: z.number().describe('pieces reworked good'),
    scrapped: z.number().describe('pieces scrapped after rework, or all of them for scrap'),
    inRework: z.number().describe('pieces waiting in rework'),
    openedAt: timeOut,
    openedBy: z.string(),
    closedAt: timeOut.nullable(),
    changes: z.array(ncChangeSchema).describe('the trail, oldest first'),
  })
  .meta({ id: 'Nonconformance' });
export type Nonconformance = z.infer<typeof nonconformanceSchema>;

const summaryRow = z.object({
  key: z.string().nullable().describe('the reason, product or machine (null: none named)'),
  count: z.number().describe('NC records'),
  quantity: z.number().describe('pieces'),
});
export const ncSummarySchema = z
  .object({
    from: timeOut,
    to: timeOut,
    total: z.object({ count: z.number(), quantity: z.number(), inRework: z.number() }),
    byReason: z.array(summaryRow),
    byProduct: z.array(summaryRow),
    byMachine: z.array(summaryRow),
  })
  .meta({ id: 'NonconformanceSummary' });
export type NcSummary = z.infer<typeof ncSummarySchema>;

/** Pieces in rework and NC count per operation of one order (the order page). */
export const orderNcSchema = z.object({
  workOrder: z.string(),
  operations: z.array(
    z.object({ operation: z.string(), inRework: z.number(), open: z.number(), count: z.number() }),
  ),
  nonconformances: z.array(nonconformanceSchema),
});
export type OrderNc = z.infer<typeof orderNcSchema>;

const refusals = {
  400: 'the body is wrong, or the reason or approver is unknown: { message, messageKey, messageParams }',
  404: 'no such NC or work order',
  409: 'refused, with the reason: { code: INGEST_ERR_NC, message, messageKey, messageParams }',
} as const;

const window = windowChecked(
  z.strictObject({ from: isoTimeSchema, to: isoTimeSchema, lang: z.string().max(16).optional() }),
  366,
);

export const nonconformanceRoutes = {
  open: defineRoute({
    method: 'POST',
    path: '/api/nonconformances',
    access: NC_ACTORS,
    summary: 'Open an NC for pieces of an operation found bad by a reject or a failed inspection',
    query: langQuery,
    body: ncOpenSchema,
    status: 201,
    response: nonconformanceSchema,
    errors: refusals,
  }),
  disposition: defineRoute({
    method: 'POST',
    path: '/api/nonconformances/:id/disposition',
    access: NC_ACTORS,
    summary:
      'Decide an open NC: rework (pieces wait in rework), scrap, or use-as-is (a concession approved by a manager or admin)',
    params: numericIdParams,
    query: langQuery,
    body: ncDispositionSchema,
    response: nonconformanceSchema,
    errors: refusals,
  }),
  rework: defineRoute({
    method: 'POST',
    path: '/api/nonconformances/:id/rework',
    access: NC_ACTORS,
    summary:
      'Record pieces reworked: the good ones count as good of the operation now, the scrapped stay rejected',
    params: numericIdParams,
    query: langQuery,
    body: ncReworkSchema,
    response: nonconformanceSchema,
    errors: refusals,
  }),
  list: defineRoute({
    method: 'GET',
    path: '/api/nonconformances',
    access: NC_ACTORS,
    summary: 'NC records, newest first, by status, order and opening time',
    query: z.strictObject({
      status: z.enum(NC_STATUSES).optional(),
      workOrder: idSchema.optional(),
      from: isoTimeSchema.optional(),
      to: isoTimeSchema.optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(200),
    }),
    response: z.array(nonconformanceSchema),
  }),
  summary: defineRoute({
    method: 'GET',
    path: '/api/nonconformances/summary',
    access: BOARD,
    summary:
      'NC records and pieces opened in a window, by reason, product and machine (at most 366 days)',
    query: window,
    response: ncSummarySchema,
  }),
  one: defineRoute({
    method: 'GET',
    path: '/api/nonconformances/:id',
    access: NC_ACTORS,
    summary: 'One NC with its trail',
    params: numericIdParams,
    response: nonconformanceSchema,
    errors: { 404: 'no such NC' },
  }),
  order: defineRoute({
    method: 'GET',
    path: '/api/work-orders/:id/nonconformances',
    access: STAFF,
    summary: "An order's NCs and, per operation, pieces waiting in rework and NC counts",
    params: stringIdParams,
    response: orderNcSchema,
    errors: { 404: 'no such work order' },
  }),
};
