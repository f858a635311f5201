import { z } from 'zod';
import { MACHINE_MODES } from '../config/plant';
import { BOARD, defineRoute } from './contract';
import { idSchema, isoTimeSchema, timeOut, windowChecked } from './common';

/** `?machine=<id>|line=<id>&from=&to=`: exactly one scope, a window of at most 92 days. */
export const oeeWindowQuerySchema = windowChecked(
  z
    .strictObject({
      machine: idSchema.optional().describe('exactly one of machine or line'),
      line: idSchema.optional(),
      from: isoTimeSchema,
      to: isoTimeSchema,
    })
    .refine(
      (q) => (q.machine === undefined) !== (q.line === undefined),
      'give exactly one of machine or line',
    ),
  92,
);

/** ISO 22400-2 figures (ingest/src/domain/oee.ts): fractions, null when undefined. */
export const oeeFiguresSchema = z
  .object({
    calendarMs: z.number(),
    plannedBusyMs: z.number(),
    runMs: z.number(),
    totalCount: z.number(),
    goodCount: z.number(),
    availability: z.number().nullable(),
    performance: z.number().nullable(),
    performanceAbove100: z.boolean(),
    quality: z.number().nullable(),
    yield: z.number().nullable(),
    oee: z.number().nullable(),
    teep: z.number().nullable(),
  })
  .meta({ id: 'OeeFigures' });
export type OeeFigures = z.infer<typeof oeeFiguresSchema>;

/** The six big losses in ms; they always add up to plannedBusyMs. */
export const sixBigLossesSchema = z
  .object({
    breakdownsMs: z.number(),
    setupsMs: z.number(),
    smallStopsMs: z.number(),
    reducedSpeedMs: z.number(),
    startupRejectsMs: z.number(),
    productionRejectsMs: z.number(),
    /** Σ(ideal cycle × good): what OEE calls fully productive time. */
    fullyProductiveMs: z.number(),
  })
  .meta({ id: 'SixBigLosses' });
export type SixBigLosses = z.infer<typeof sixBigLossesSchema>;

export const oeeReportSchema = oeeFiguresSchema
  .extend({
    downMs: z.number(),
    microstopMs: z.number(),
    setupMs: z.number(),
    notMonitoredMs: z
      .number()
      .describe(
        "time that would have been planned busy time but came before the machine's first data: not monitored, left out of plannedBusyMs",
      ),
    losses: sixBigLossesSchema.nullable().describe('null when an ideal cycle time is unknown'),
    modes: z.partialRecord(z.enum(MACHINE_MODES), z.number()).describe('ms per machine mode'),
  })
  .meta({ id: 'OeeReport' });
export type OeeReport = z.infer<typeof oeeReportSchema>;

const scopeOut = { machine: z.string().optional(), line: z.string().optional() };

const hoursSchema = z.array(
  z.object({ hourStart: timeOut, actual: z.number(), target: z.number().nullable() }),
);

export const shiftOccurrenceSchema = z.object({
  shift: z.string(),
  name: z.string(),
  /** The plant day the shift starts on, YYYY-MM-DD. */
  date: z.string(),
  from: timeOut,
  to: timeOut,
});
export const shiftRowSchema = shiftOccurrenceSchema.extend(oeeReportSchema.shape);
export type ShiftRow = z.infer<typeof shiftRowSchema>;

export const downtimeEntrySchema = z.object({
  reason: z.string().describe('the reason code, or `unassigned`'),
  state: z.string(),
  durationMs: z.number(),
  stops: z.number(),
});
export type DowntimeEntry = z.infer<typeof downtimeEntrySchema>;

const windowNotFound = { 400: 'the query is wrong', 404: 'no such machine or line' };

export const oeeRoutes = {
  oee: defineRoute({
    method: 'GET',
    path: '/api/oee',
    access: BOARD,
    summary: 'ISO 22400-2 OEE of a machine or a line over any window (at most 92 days)',
    query: oeeWindowQuerySchema,
    response: z.object({ ...scopeOut, from: timeOut, to: timeOut }).extend(oeeReportSchema.shape),
    errors: windowNotFound,
  }),
  shifts: defineRoute({
    method: 'GET',
    path: '/api/oee/shifts',
    access: BOARD,
    summary: 'OEE per shift worked in the window (each shift on each day of the plant calendar)',
    query: oeeWindowQuerySchema,
    response: z.object({
      ...scopeOut,
      from: timeOut,
      to: timeOut,
      shifts: z.array(shiftRowSchema),
    }),
    errors: windowNotFound,
  }),
  downtime: defineRoute({
    method: 'GET',
    path: '/api/downtime',
    access: BOARD,
    summary:
      'Downtime Pareto of a machine or line over a window (unplanned stops in planned time, by state and reason)',
    query: oeeWindowQuerySchema,
    response: z.object({
      ...scopeOut,
      from: timeOut,
      to: timeOut,
      reasons: z.array(downtimeEntrySchema).describe('longest first'),
    }),
    errors: windowNotFound,
  }),
  output: defineRoute({
    method: 'GET',
    path: '/api/output',
    access: BOARD,
    summary:
      'Good pieces per hour of a machine or a line beside the target the ideal cycle times allow in planned time',
    description:
      "The target counts time a work order ran at its product's ideal cycle on the machine, the rest at the default product's (pro rata; docs/production-model.md). For a line, `hours` adds up its machines (targets of the machines that have one) and `machines` gives each machine's hours: one request for a line board, not one per machine.",
    query: oeeWindowQuerySchema,
    response: z.object({
      ...scopeOut,
      hours: hoursSchema,
      machines: z
        .array(z.object({ machine: z.string(), hours: hoursSchema }))
        .optional()
        .describe("a line's machines, each with its own hours"),
    }),
    errors: windowNotFound,
  }),
};
