/**
 * The KPI board's weekly figures, quality on analytics (reject Pareto, scrap per day by
 * product and machine, delivery by customer and product) and scrap per order
 * (ingest/src/domain/kpi-weeks.ts; docs/decisions.md "Issue 19 — KPI board and quality on
 * analytics").
 */
import { z } from 'zod';
import { BOARD, STAFF, defineRoute } from './contract';
import { isoTimeSchema, stringIdParams, timeOut, windowChecked } from './common';

const filterId = z.string().min(1).max(128);

/** This week against the mean of the earlier weeks (ingest/src/domain/kpi-weeks.ts `trendOf`). */
export const kpiTrendSchema = z.object({
  current: z.number().nullable(),
  mean: z.number().nullable().describe('mean of the earlier weeks that have a value'),
  delta: z.number().nullable().describe('current − mean'),
  better: z.boolean().nullable().describe('whether the change is for the better; null: none'),
});

export const KPI_NAMES = [
  'onTimeRate',
  'leadTimeMeanMs',
  'leadTimeCv',
  'scrapRate',
  'firstPassYield',
  'outputPerOperatorHour',
  'oee',
] as const;
export type KpiName = (typeof KPI_NAMES)[number];

export const kpiWeekSchema = z.object({
  start: z.string().describe('the Monday the week starts on, YYYY-MM-DD in the plant calendar'),
  from: timeOut,
  to: timeOut.describe('the next Monday, or now for the week under way'),
  completed: z.number(),
  withDueDate: z.number(),
  onTime: z.number(),
  onTimeRate: z.number().nullable(),
  leadTimeMeanMs: z.number().nullable(),
  leadTimeCv: z.number().nullable(),
  good: z.number(),
  rejected: z.number(),
  scrapRate: z.number().nullable(),
  firstPassGood: z
    .number()
    .describe(
      'pieces good at their first pass: not reworked, not conceded, not failed at inspection',
    ),
  firstPassYield: z
    .number()
    .nullable()
    .describe('firstPassGood / pieces made (good + rejected); null: none made'),
  operatorHours: z.number(),
  outputPerOperatorHour: z.number().nullable(),
  oee: z.number().nullable().describe('all machines of the plant, whatever the filters'),
});
export type KpiWeek = z.infer<typeof kpiWeekSchema>;

export const kpiWeeklySchema = z
  .object({
    timeZone: z.string(),
    weeks: z.array(kpiWeekSchema).describe('oldest first; the last is the week under way'),
    trends: z.object(
      Object.fromEntries(KPI_NAMES.map((k) => [k, kpiTrendSchema])) as Record<
        KpiName,
        typeof kpiTrendSchema
      >,
    ),
  })
  .meta({ id: 'KpiWeekly' });
export type KpiWeekly = z.infer<typeof kpiWeeklySchema>;

const paretoBarSchema = z.object({
  reason: z.string().nullable().describe("null: the machine's reject counter, no reason given"),
  pieces: z.number(),
  share: z.number(),
  cumulative: z.number(),
});

const scrapSeriesSchema = z.object({
  group: z.string(),
  rates: z.array(z.number().nullable()).describe('scrap rate per day of `days`'),
  good: z.number(),
  rejected: z.number(),
});

const deliveryRowSchema = z.object({
  group: z.string().describe('the customer or product; "" when the orders name none'),
  completed: z.number(),
  onTimeRate: z.number().nullable(),
  leadTimeMeanMs: z.number().nullable(),
  leadTimeCv: z.number().nullable(),
  good: z.number(),
  rejected: z.number(),
  scrapRate: z.number().nullable(),
});

export const qualityReportSchema = z
  .object({
    from: timeOut,
    to: timeOut,
    days: z.array(z.string()).describe('plant days, YYYY-MM-DD'),
    pareto: z.array(paretoBarSchema),
    byProduct: z.array(scrapSeriesSchema),
    byMachine: z.array(scrapSeriesSchema),
    delivery: z.object({
      byCustomer: z.array(deliveryRowSchema),
      byProduct: z.array(deliveryRowSchema),
    }),
  })
  .meta({ id: 'QualityReport' });
export type QualityReport = z.infer<typeof qualityReportSchema>;

export const orderScrapSchema = z.object({
  id: z.string(),
  good: z.number(),
  rejected: z.number(),
  operations: z.array(
    z.object({
      id: z.string(),
      machine: z.string().nullable(),
      good: z.number(),
      rejected: z.number(),
      reasons: z.array(z.object({ reason: z.string().nullable(), pieces: z.number() })),
    }),
  ),
});
export type OrderScrap = z.infer<typeof orderScrapSchema>;

export const kpiRoutes = {
  weekly: defineRoute({
    method: 'GET',
    path: '/api/kpis/weekly',
    access: BOARD,
    summary:
      'On-time rate, lead time and its CV, scrap rate, output per operator-hour and OEE per plant week (Monday start), this week against the earlier ones',
    query: z.strictObject({
      weeks: z.coerce.number().int().min(2).max(53).default(9),
      customer: filterId.optional(),
      product: filterId.optional(),
    }),
    response: kpiWeeklySchema,
    errors: { 400: 'the query is wrong' },
  }),
  quality: defineRoute({
    method: 'GET',
    path: '/api/quality',
    access: BOARD,
    summary:
      'Reject-reason Pareto, scrap rate per day by product and by machine, and delivery by customer and product over a window (at most 92 days)',
    query: windowChecked(
      z.strictObject({
        from: isoTimeSchema,
        to: isoTimeSchema,
        customer: filterId.optional(),
        product: filterId.optional(),
      }),
      92,
    ),
    response: qualityReportSchema,
    errors: { 400: 'the query is wrong' },
  }),
  orderScrap: defineRoute({
    method: 'GET',
    path: '/api/work-orders/:id/scrap',
    access: STAFF,
    summary: "An order's good and rejected pieces per operation, with the reject reasons",
    params: stringIdParams,
    response: orderScrapSchema,
    errors: { 404: 'no such work order' },
  }),
};
