import { z } from 'zod';
import { BOARD, STAFF, defineRoute } from './contract';
import { idSchema, isoTimeSchema, timeOut } from './common';

/** The chart's width by default (ingest/src/queries/history-plan.ts HISTORY_LIMITS). */
const DEFAULT_POINTS = 1000;

export const historyQuerySchema = z.strictObject({
  machine: idSchema,
  tag: z
    .string()
    .min(1)
    .max(2000)
    .optional()
    .describe('one tag or several separated by commas (at most 20); absent, every numeric tag'),
  from: isoTimeSchema,
  to: isoTimeSchema.optional().describe('absent, now'),
  /** The chart's width: about this many buckets come back. */
  points: z.coerce.number().default(DEFAULT_POINTS),
  bucket: z
    .string()
    .max(16)
    .default('auto')
    .describe(
      'auto (default), raw (windows up to 24 h, at most 100,000 rows) or a width like 10s, 5m, 1h, 1d; widths under a minute or not whole minutes only for windows up to 24 h; at most 10,000 buckets',
    ),
  format: z.enum(['json', 'csv']).default('json'),
});

export const historySchema = z
  .object({
    machine: z.string(),
    from: timeOut.describe('aligned down to the bucket'),
    to: timeOut.describe('aligned up to the bucket'),
    bucket: z.string().describe('raw, or a width: 1m, 6h'),
    bucketSeconds: z.number().int().nullable(),
    source: z.enum(['samples', 'samples_1m', 'samples_1h']),
    columns: z
      .array(z.string())
      .readonly()
      .describe('[t, value, quality] or [t, min, max, avg, last, count]'),
    series: z.array(
      z.object({
        tag: z.string(),
        points: z
          .array(z.array(z.union([z.number(), z.string(), z.null()])))
          .describe('one array per point, in the order of `columns`; t in epoch ms'),
      }),
    ),
  })
  .meta({ id: 'History' });
export type HistoryAnswer = z.infer<typeof historySchema>;

const description =
  "The bucket is chosen from the window and `points` (the chart's width) unless given; windows wider than a day read the per-minute or per-hour rollups. Buckets hold good values only, are aligned to UTC, and empty buckets are left out. A string tag (its latest value is text): raw rows carry the text as `value`; each bucket holds its last good text as `last` and their `count`, with min, max and avg null (read from raw samples whatever the bucket: the rollups hold numbers only). Inverted or enormous windows, unknown machines or tags, bad buckets: 400 with a reason.";

export const historyRoutes = {
  history: defineRoute({
    method: 'GET',
    path: '/api/history',
    access: BOARD,
    summary: "A machine's tags over a window, raw or in buckets (min, max, avg, last, count)",
    description,
    query: historyQuerySchema,
    response: historySchema,
    csv: 'also',
    responseDescription: 'the series (CSV with format=csv)',
    errors: { 400: 'the query is wrong' },
  }),
  csv: defineRoute({
    method: 'GET',
    path: '/api/history.csv',
    access: STAFF,
    summary: 'The same as /api/history, as CSV (time, machine, tag, then the columns)',
    query: historyQuerySchema,
    response: z.string(),
    csv: 'only',
    responseDescription:
      'CSV: time,machine,tag,value,quality (raw) or time,machine,tag,min,max,avg,last,count',
    errors: { 400: 'the query is wrong' },
  }),
};
