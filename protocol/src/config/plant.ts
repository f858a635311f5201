import { z } from 'zod';
import { idSchema } from '../ids';

/**
 * The plant model (DESIGN "Storage"): version-controlled YAML loaded by ingest at start.
 * This is its first slice (sites, lines, machines); products, shifts, reason codes and
 * alert rules join it with the production model.
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
          machines: z
            .array(z.strictObject({ id: idSchema, name: z.string().min(1).max(128) }))
            .min(1),
        }),
      )
      .min(1),
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
  });
export type PlantModel = z.output<typeof plantModelSchema>;
