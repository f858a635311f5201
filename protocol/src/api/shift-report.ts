import { z } from 'zod';
import { BOARD, defineRoute } from './contract';
import { idSchema, isoTimeSchema, timeOut, windowChecked } from './common';
import { oeeReportSchema, shiftOccurrenceSchema } from './oee';

/** `?site=<id>|line=<id>|machine=<id>&from=&to=`: exactly one scope, at most 92 days. */
export const shiftReportQuerySchema = windowChecked(
  z
    .strictObject({
      site: idSchema.optional().describe('exactly one of site, line or machine'),
      line: idSchema.optional(),
      machine: idSchema.optional(),
      from: isoTimeSchema,
      to: isoTimeSchema,
    })
    .refine(
      (q) => [q.site, q.line, q.machine].filter((s) => s !== undefined).length === 1,
      'give exactly one of site, line or machine',
    ),
  92,
);
export type ShiftReportQuery = z.output<typeof shiftReportQuerySchema>;

/** One shift worked by one machine (a plant day when the plant has no shift calendar). */
export const shiftReportRowSchema = shiftOccurrenceSchema
  .extend({ machine: z.string() })
  .extend(oeeReportSchema.shape);
export type ShiftReportRow = z.infer<typeof shiftReportRowSchema>;

/** One shift worked, the scope's machines added up (times and counts summed, then divided). */
export const shiftReportShiftSchema = shiftOccurrenceSchema.extend(oeeReportSchema.shape);
export type ShiftReportShift = z.infer<typeof shiftReportShiftSchema>;

/** One plant day: its shifts and machines added up. */
export const shiftReportDaySchema = z
  .object({ date: z.string(), from: timeOut, to: timeOut })
  .extend(oeeReportSchema.shape);
export type ShiftReportDay = z.infer<typeof shiftReportDaySchema>;

export const shiftReportSchema = z
  .object({
    site: z.string().optional(),
    line: z.string().optional(),
    machine: z.string().optional(),
    from: timeOut,
    to: timeOut,
    /** `shift` per shift of the calendar; `day` per plant day when there is no calendar. */
    period: z.enum(['shift', 'day']),
    machines: z.array(z.string()).describe("the scope's machines, in the plant model's order"),
    rows: z.array(shiftReportRowSchema).describe('per shift × machine, oldest shift first'),
    shifts: z.array(shiftReportShiftSchema).describe('per shift, machines added up'),
    days: z.array(shiftReportDaySchema).describe('per plant day, shifts and machines added up'),
    total: oeeReportSchema.describe('every row added up'),
  })
  .meta({ id: 'ShiftReport' });
export type ShiftReport = z.infer<typeof shiftReportSchema>;

export const shiftReportRoutes = {
  shiftReport: defineRoute({
    method: 'GET',
    path: '/api/oee/shift-report',
    access: BOARD,
    summary:
      'Shift report of a plant, a line or a machine: OEE per shift × machine, per shift, per plant day and in total',
    description:
      'Every figure is ISO 22400-2 as /api/oee computes it: times and counts added up, then divided, so a line is the union of its machines, never an average of ratios. A plant without a shift calendar is reported per plant day.',
    query: shiftReportQuerySchema,
    response: shiftReportSchema,
    errors: { 400: 'the query is wrong', 404: 'no such site, line or machine' },
  }),
};
