import { z } from 'zod';
import { idSchema } from '../ids';
import { alertRuleProblems, alertsConfigSchema } from './alerts';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM (24 h)');
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A shift of the plant's calendar, in the site's time zone; `end` before `start` crosses midnight. */
export const shiftSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1).max(64),
  start: clockTime,
  end: clockTime,
  /** Days the shift starts on. */
  days: z
    .array(z.enum(WEEKDAYS))
    .min(1)
    .default([...WEEKDAYS]),
  /** Planned stops inside the shift (breaks), same clock; not planned busy time. */
  breaks: z.array(z.strictObject({ start: clockTime, end: clockTime })).default([]),
});
export type ShiftConfig = z.output<typeof shiftSchema>;

export const productSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1).max(128),
  /** Ideal (nameplate) cycle time per piece, ms. */
  idealCycleMs: z.number().positive(),
  /** Per-machine ideal cycle time where it differs. */
  machines: z.record(idSchema, z.number().positive()).default({}),
});
export type ProductConfig = z.output<typeof productSchema>;

const machineSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1).max(128),
  /** The product the machine makes when no work order says otherwise (for OEE). */
  product: idSchema.optional(),
  /** Stops shorter than this stay run time (a performance loss), longer ones are down time. */
  microstopThresholdS: z.number().min(0).max(3600).default(120),
});

/**
 * The plant model (DESIGN "Storage"): version-controlled YAML loaded by ingest at start:
 * site, lines, machines, products with ideal cycle times, and the shift calendar. Reason
 * codes, targets and alert rules join it with the rest of the production model.
 * Without shifts every hour is planned time.
 */
export const plantModelSchema = z
  .strictObject({
    site: z.strictObject({
      id: idSchema,
      name: z.string().min(1).max(128),
      /** IANA time zone of the plant: the day boundary for counts. */
      timeZone: z.string().min(1).default('UTC'),
    }),
    lines: z
      .array(
        z.strictObject({
          id: idSchema,
          name: z.string().min(1).max(128),
          machines: z.array(machineSchema).min(1),
        }),
      )
      .min(1),
    products: z.array(productSchema).default([]),
    shifts: z.array(shiftSchema).default([]),
    /** Alert rules and the channels they notify (protocol/src/config/alerts.ts). */
    alerts: alertsConfigSchema.default({ rules: [], channels: [] }),
  })
  .superRefine((plant, ctx) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: plant.site.timeZone });
    } catch {
      ctx.addIssue({
        code: 'custom',
        path: ['site', 'timeZone'],
        message: `unknown time zone "${plant.site.timeZone}"`,
      });
    }
    const products = new Set(plant.products.map((p) => p.id));
    plant.lines.forEach((line, li) =>
      line.machines.forEach((machine, mi) => {
        if (machine.product && !products.has(machine.product)) {
          ctx.addIssue({
            code: 'custom',
            path: ['lines', li, 'machines', mi, 'product'],
            message: `unknown product "${machine.product}" (declare it under products)`,
          });
        }
      }),
    );
    const seen = new Set<string>();
    plant.lines.forEach((line, li) =>
      line.machines.forEach((machine, mi) => {
        if (seen.has(machine.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['lines', li, 'machines', mi, 'id'],
            message: `machine "${machine.id}" is declared twice`,
          });
        }
        seen.add(machine.id);
      }),
    );
    const channels = new Set(plant.alerts.channels.map((c) => c.id));
    for (const problem of alertRuleProblems(plant.alerts.rules, channels, seen))
      ctx.addIssue({
        code: 'custom',
        path: ['alerts', 'rules', ...problem.path],
        message: problem.message,
      });
  });
export type PlantModel = z.output<typeof plantModelSchema>;
export type Weekday = (typeof WEEKDAYS)[number];
