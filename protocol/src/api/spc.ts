/**
 * SPC: characteristics of the plant model's inspection plans, their measurements as subgroups,
 * control charts with limits from a frozen baseline, run-rule violations and capability
 * (docs/decisions.md "Issue 23 — measurements, limits and spc alerts"). Text a person reads
 * (`baselineWarning`, a violation's `message`, the normality note) is rendered in the language
 * asked (`lang=`, then Accept-Language).
 */
import { z } from 'zod';
import { CHART_KINDS, SPC_RULES } from '../config/quality';
import { idSchema, isoTimeSchema, pathIdSchema, timeOut, windowChecked } from './common';
import { MANAGERS, STAFF, defineRoute, type Access } from './contract';

/** Who records measurements by hand (docs/decisions.md "Issue 23 — measurements, limits and spc alerts"). */
export const MEASURERS: readonly Access[] = ['admin', 'manager', 'operator'];

export const MEASUREMENT_SOURCES = ['gauge', 'api', 'station'] as const;
export type MeasurementSource = (typeof MEASUREMENT_SOURCES)[number];

/** Socket events of SPC: a subgroup stored (`{ characteristic, at }`). */
export const SPC_EVENTS = { subgroup: 'spc:subgroup' } as const;
export interface SpcSubgroupEvent {
  characteristic: string;
  at: string;
}

const langQuery = { lang: z.string().max(35).optional() };

export const characteristicSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    unit: z.string().nullable(),
    nominal: z.number().nullable(),
    lsl: z.number().nullable().describe('null only for attribute charts'),
    usl: z.number().nullable().describe('null only for attribute charts'),
    chart: z.enum(CHART_KINDS),
    subgroupSize: z.number().int().nullable(),
    rules: z.array(z.enum(SPC_RULES)),
    product: z.string().nullable(),
    operation: z.string().nullable(),
    machine: z.string().nullable(),
    source: z.enum(['gauge', 'manual']),
  })
  .meta({ id: 'SpcCharacteristic' });
export type CharacteristicSummary = z.infer<typeof characteristicSummarySchema>;

const interval = z.tuple([z.number(), z.number()]).nullable();

export const spcBaselineSchema = z.object({
  phase: z
    .literal('II')
    .describe('limits frozen from this baseline; without one the chart is phase I'),
  from: timeOut,
  to: timeOut,
  subgroups: z.number().int(),
  frozenBy: z.string().nullable(),
  frozenAt: timeOut,
  reason: z.string(),
});

export const spcPointSchema = z.object({
  at: timeOut,
  value: z.number().describe('X̄, the individual value, or the attribute statistic (p, np, c, u)'),
  range: z
    .number()
    .nullable()
    .describe('R, S or moving range; null for the first I–MR point and attribute charts'),
  values: z.array(z.number()),
  n: z.number().int().nullable().describe('attribute charts: the count inspected'),
  workOrder: z.string().nullable(),
  operation: z.string().nullable(),
  operator: z.string().nullable(),
  source: z.enum(MEASUREMENT_SOURCES),
});

export const spcViolationSchema = z.object({
  rule: z.enum(SPC_RULES),
  at: timeOut,
  index: z.number().int().describe('the point in `points`'),
  message: z.string(),
});

export const spcChartSchema = characteristicSummarySchema
  .extend({
    from: timeOut,
    to: timeOut,
    center: z.number().nullable().describe('null: no subgroups to compute limits from'),
    ucl: z.number().nullable(),
    lcl: z.number().nullable(),
    rangeCenter: z.number().nullable(),
    rangeUcl: z.number().nullable(),
    rangeLcl: z.number().nullable(),
    baseline: spcBaselineSchema.nullable(),
    baselineWarning: z
      .string()
      .nullable()
      .describe('e.g. fewer than 20 subgroups behind the limits'),
    points: z.array(spcPointSchema),
    violations: z.array(spcViolationSchema),
    cp: z.number().nullable(),
    cpk: z.number().nullable(),
    pp: z.number().nullable(),
    ppk: z.number().nullable(),
    ci: z.object({ cp: interval, cpk: interval, pp: interval, ppk: interval }),
    histogram: z.object({
      bins: z.array(z.object({ from: z.number(), to: z.number(), count: z.number().int() })),
      normality: z.object({ pValue: z.number().nullable(), note: z.string() }).nullable(),
    }),
  })
  .meta({ id: 'SpcChart' });
export type SpcChart = z.infer<typeof spcChartSchema>;

export const spcChartQuerySchema = z
  .strictObject({
    from: isoTimeSchema.optional(),
    to: isoTimeSchema.optional(),
    ...langQuery,
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) > Date.parse(q.from), {
    message: 'to must be after from',
    path: ['to'],
  });

export const baselineBodySchema = windowChecked(
  z.strictObject({
    from: isoTimeSchema,
    to: isoTimeSchema,
    reason: z.string().trim().min(1).max(500),
  }),
  366,
);

export const measurementBodySchema = z.strictObject({
  characteristic: idSchema,
  values: z
    .array(z.number({ error: 'every value must be a number' }))
    .min(1)
    .max(1000)
    .describe('variable charts: the subgroup (subgroupSize values); attribute charts: one count'),
  n: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      'attribute charts: the count inspected, where the characteristic has no subgroupSize',
    ),
  at: isoTimeSchema.optional().describe('when measured; default now'),
  workOrder: z.string().min(1).max(128).optional(),
  operation: z.string().min(1).max(64).optional(),
  operator: z.string().min(1).max(128).optional().describe('default the signed-in user'),
  source: z
    .enum(['api', 'station'])
    .optional()
    .describe(
      "who typed it: 'station' from the operator station's entry; default 'api' (gauge subgroups come from the edge agent only)",
    ),
});
export type MeasurementBody = z.infer<typeof measurementBodySchema>;

export const dueInspectionSchema = z.object({
  characteristic: z.string(),
  workOrder: z.string().nullable(),
  operation: z.string().nullable(),
  machine: z.string().nullable(),
  dueAt: timeOut,
  overdue: z.boolean(),
  reason: z.enum(['pieces', 'minutes', 'changeover']),
});
export type DueInspection = z.infer<typeof dueInspectionSchema>;

export const spcRoutes = {
  list: defineRoute({
    method: 'GET',
    path: '/api/spc',
    access: STAFF,
    summary: "The plant model's characteristics (inspection plans)",
    response: z.array(characteristicSummarySchema),
  }),
  due: defineRoute({
    method: 'GET',
    path: '/api/spc/due',
    access: STAFF,
    summary: 'Inspections due on the running operations, soonest first',
    query: z.strictObject({
      machine: pathIdSchema.optional(),
      workOrder: pathIdSchema.optional(),
    }),
    response: z.array(dueInspectionSchema),
    errors: { 400: 'the query is wrong' },
  }),
  chart: defineRoute({
    method: 'GET',
    path: '/api/spc/:characteristic',
    access: STAFF,
    summary:
      'A control chart over a window (default the last 30 days): points, limits (the newest baseline, else phase I from the window), violations, capability and histogram',
    params: z.strictObject({ characteristic: pathIdSchema }),
    query: spcChartQuerySchema,
    response: spcChartSchema,
    errors: { 400: 'the query is wrong', 404: 'no such characteristic' },
  }),
  baseline: defineRoute({
    method: 'POST',
    path: '/api/spc/:characteristic/baseline',
    access: MANAGERS,
    summary:
      'Freeze control limits from the subgroups of a window (phase I → II); again later recomputes them, the reason logged',
    params: z.strictObject({ characteristic: pathIdSchema }),
    query: z.strictObject(langQuery),
    body: baselineBodySchema,
    status: 201,
    response: spcBaselineSchema.extend({
      center: z.number(),
      ucl: z.number(),
      lcl: z.number(),
      rangeCenter: z.number().nullable(),
      rangeUcl: z.number().nullable(),
      rangeLcl: z.number().nullable(),
    }),
    errors: {
      400: 'the body is wrong, or the window has fewer than 20 subgroups (the reason rendered)',
      404: 'no such characteristic',
    },
  }),
  measure: defineRoute({
    method: 'POST',
    path: '/api/measurements',
    access: MEASURERS,
    summary: 'Record one subgroup of a characteristic',
    query: z.strictObject(langQuery),
    body: measurementBodySchema,
    status: 201,
    response: z.object({ id: z.number().int(), at: timeOut }),
    errors: {
      400: 'unknown characteristic, wrong subgroup size, a value that is not a number, or at beyond the time horizon (the reason rendered)',
    },
  }),
};
