import { z } from 'zod';
import { idSchema } from '../ids';

/** A real calendar date as YYYY-MM-DD (2026-02-30 is refused). */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((d) => new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a real date');

const minutes = z
  .number()
  .min(0)
  .max(24 * 60);

/**
 * The `planning:` key of the plant model (docs/config-reference.md "Planning"): how the
 * finite-capacity plan (ingest/src/domain/planning/) estimates capacity, when the plant is
 * closed beside its `holidays`, and how long a product change takes on a machine.
 */
export const planningConfigSchema = z.strictObject({
  /** Trailing window of run history the demonstrated rate and availability are read from. */
  capacityWindowDays: z.number().int().min(1).max(365).default(28),
  /** OEE assumed with the ideal cycle when a machine × product has too little history. */
  defaultOee: z.number().gt(0).max(1).default(0.6),
  /** Run hours of history below which the ideal cycle at `defaultOee` is used instead. */
  minRunHours: z.number().min(0).max(10_000).default(8),
  /** Plant closures (shutdowns), both dates included, in the site's calendar: no shift starts on them. */
  closures: z
    .array(
      z
        .strictObject({ from: isoDate, to: isoDate, reason: z.string().max(200).optional() })
        .refine((c) => c.from <= c.to, { message: '`to` is before `from`', path: ['to'] }),
    )
    .default([]),
  /** Set-up time when a machine changes product: per product set up, else per machine, else the default. */
  changeovers: z
    .strictObject({
      defaultMinutes: minutes.default(0),
      products: z.record(idSchema, minutes).default({}),
      machines: z.record(idSchema, minutes).default({}),
    })
    .default({ defaultMinutes: 0, products: {}, machines: {} }),
});
export type PlanningConfig = z.output<typeof planningConfigSchema>;

export const DEFAULT_PLANNING: PlanningConfig = planningConfigSchema.parse({});

/** Product and machine ids `planning:` names that the plant does not declare. */
export function planningProblems(
  planning: PlanningConfig,
  products: ReadonlySet<string>,
  machines: ReadonlySet<string>,
): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  for (const id of Object.keys(planning.changeovers.products))
    if (!products.has(id))
      out.push({
        path: ['changeovers', 'products', id],
        message: `unknown product "${id}" (declare it under products)`,
      });
  for (const id of Object.keys(planning.changeovers.machines))
    if (!machines.has(id))
      out.push({
        path: ['changeovers', 'machines', id],
        message: `unknown machine "${id}" (declare it under lines)`,
      });
  return out;
}
