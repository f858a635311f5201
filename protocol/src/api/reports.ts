import { z } from 'zod';
import { BOARD, MANAGERS, PUBLIC, defineRoute } from './contract';
import { idSchema } from './common';
import { MESSAGE_LANGS } from '../messages/render';

/** The PNG file itself: ingest sends a Buffer. */
const pngFile = z.custom<Uint8Array<ArrayBufferLike>>((value) => value instanceof Uint8Array);
const plantDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a plant date as YYYY-MM-DD');
const lang = z
  .enum(MESSAGE_LANGS)
  .optional()
  .describe('the language of the text in the image; else Accept-Language, else English');

export const shiftImageQuerySchema = z.strictObject({
  date: plantDate.describe('the plant day the shift starts on'),
  shift: idSchema.describe("the shift's id in the plant model"),
  lang,
});
export const dailyImageQuerySchema = z.strictObject({ date: plantDate, lang });
export const reportImageParamsSchema = z.strictObject({
  file: z.string().regex(/^[A-Za-z0-9_-]{22}\.png$/, 'an image id and .png'),
});
export const reportImageQuerySchema = z.strictObject({
  exp: z.coerce.number().int().positive().describe('when the link expires, epoch ms'),
  sig: z.string().min(1).max(100).describe('the link signature'),
});

export const monthlyQuerySchema = z.strictObject({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')
    .describe('the plant month'),
  lang,
});

const figure = z.number().nullable();
/** One figure this month and last month. */
const versus = z.object({ this: figure, last: figure });

export const MONTHLY_LOSSES = [
  'breakdowns',
  'setups',
  'smallStops',
  'reducedSpeed',
  'startupRejects',
  'productionRejects',
] as const;

export const monthlyReportSchema = z
  .object({
    site: z.string(),
    month: z.string(),
    previousMonth: z.string(),
    lang: z.enum(MESSAGE_LANGS),
    title: z.string(),
    oee: versus,
    availability: versus,
    performance: versus,
    quality: versus,
    goodCount: versus,
    losses: z
      .array(
        z.object({
          loss: z.enum(MONTHLY_LOSSES),
          label: z.string(),
          thisMs: z.number(),
          lastMs: z.number(),
        }),
      )
      .describe('the six big losses, largest this month first'),
    stops: z
      .array(
        z.object({
          reason: z.string(),
          label: z.string(),
          thisMs: z.number(),
          lastMs: z.number(),
          stops: z.number(),
        }),
      )
      .describe('stop reasons (delay causes), longest this month first, at most 10'),
    late: z
      .array(
        z.object({
          id: z.string(),
          product: z.string(),
          customer: z.string().nullable(),
          dueAt: z.string(),
          completedAt: z.string().nullable(),
          lateMs: z.number().describe('completed (or the month end) after the due date, ms'),
          cause: z
            .object({ reason: z.string(), label: z.string(), durationMs: z.number() })
            .nullable()
            .describe("the longest stop on the order's machines while it ran"),
        }),
      )
      .describe('orders due in the month that were done late or not at all'),
    suggestions: z.array(z.string()).describe('what to look at first, in the language asked'),
  })
  .meta({ id: 'MonthlyReport' });
export type MonthlyReport = z.infer<typeof monthlyReportSchema>;

const pdfFile = z.custom<Uint8Array<ArrayBufferLike>>((value) => value instanceof Uint8Array);

const picture =
  "OEE and its six big losses per machine, the top stop reasons and good output against the ideal cycle's target, in the plant's time zone (1200 × 720 PNG)";

export const reportRoutes = {
  shiftImage: defineRoute({
    method: 'GET',
    path: '/api/reports/shift.png',
    access: BOARD,
    summary: "The image of a shift's report, as pushed to the channels at the shift's end",
    query: shiftImageQuerySchema,
    response: pngFile,
    png: true,
    responseDescription: picture,
    errors: { 400: 'the query is wrong', 404: 'no such shift that day, or no plant model' },
  }),
  dailyImage: defineRoute({
    method: 'GET',
    path: '/api/reports/daily.png',
    access: BOARD,
    summary: "The image of a plant day's summary, as pushed to the channels",
    query: dailyImageQuerySchema,
    response: pngFile,
    png: true,
    responseDescription: picture,
    errors: { 400: 'the query is wrong', 404: 'no plant model' },
  }),
  monthly: defineRoute({
    method: 'GET',
    path: '/api/reports/monthly',
    access: MANAGERS,
    summary:
      'The monthly improvement report: top losses and delay causes against last month, late orders and why',
    query: monthlyQuerySchema,
    response: monthlyReportSchema,
    errors: { 400: 'the query is wrong', 404: 'no plant model' },
  }),
  monthlyPdf: defineRoute({
    method: 'GET',
    path: '/api/reports/monthly.pdf',
    access: MANAGERS,
    summary: 'The monthly improvement report as a PDF (A4)',
    query: monthlyQuerySchema,
    response: pdfFile,
    pdf: true,
    errors: { 400: 'the query is wrong', 404: 'no plant model' },
  }),
  image: defineRoute({
    method: 'GET',
    path: '/api/reports/images/:file',
    // The signed, expiring link is the credential: chat services fetch it without a session.
    access: PUBLIC,
    summary: 'An image a pushed report links to (signed, expiring link)',
    params: reportImageParamsSchema,
    query: reportImageQuerySchema,
    response: pngFile,
    png: true,
    errors: { 400: 'the link is malformed', 404: 'no such image, expired, or a wrong signature' },
  }),
};
