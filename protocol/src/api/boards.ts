import { z } from 'zod';
import { BOARD, defineRoute } from './contract';
import { idSchema, timeOut } from './common';
import { shiftOccurrenceSchema } from './oee';

/** One machine's figures in the current shift (the plant board's tiles). */
export const machineShiftFiguresSchema = z.object({
  id: z.string(),
  line: z.string().nullable(),
  plannedBusyMs: z.number(),
  runMs: z.number(),
  notMonitoredMs: z.number(),
  goodCount: z.number(),
  totalCount: z.number(),
  availability: z.number().nullable(),
  performance: z.number().nullable(),
  quality: z.number().nullable(),
  oee: z.number().nullable(),
  /** Good pieces between the shift's start and the plant's midnight (live counts start there). */
  liveOffset: z.number(),
});
export type MachineShiftFigures = z.infer<typeof machineShiftFiguresSchema>;

export const shiftOeeSchema = z.object({
  site: z.string().nullable(),
  serverTime: timeOut,
  shift: shiftOccurrenceSchema.nullable(),
  from: timeOut,
  to: timeOut,
  inShift: z.boolean(),
  countsSince: timeOut,
  machines: z.array(machineShiftFiguresSchema),
});
export type ShiftOee = z.infer<typeof shiftOeeSchema>;

export const boardRoutes = {
  shift: defineRoute({
    method: 'GET',
    path: '/api/boards/shift',
    access: BOARD,
    summary:
      "Every machine's OEE, planned busy time and good count in the current shift (plant board)",
    description:
      "From the start of the shift running now (between shifts: the last one that started within a day) to now; without a shift calendar the plant day so far. Live count since `countsSince` (the plant's midnight) + `liveOffset` = the shift's good count. Computed at most every 30 s, shared by every screen.",
    query: z.strictObject({ site: idSchema.optional().describe('the first site when left out') }),
    response: shiftOeeSchema,
    errors: { 400: 'the query is wrong' },
  }),
};
