import { z } from 'zod';
import { idSchema } from '../ids';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM (24 h)');
const channelIds = z.array(idSchema).min(1, 'name at least one channel (under alerts.channels)');

/**
 * Reports pushed to people (docs/config-reference.md "Reports"): the shift report at the end
 * of each shift of the plant's calendar, a daily summary of the plant day before at a time of
 * day; both in the plant's time zone, to channels declared under `alerts.channels`.
 */
export const reportsConfigSchema = z.strictObject({
  shiftEnd: z.strictObject({ channels: channelIds }).optional(),
  daily: z
    .strictObject({
      /** Plant time the summary of the day before is sent at. */
      at: clockTime,
      channels: channelIds,
    })
    .optional(),
  /** How long an image link in a report stays valid, in days. */
  imageDays: z.number().int().min(1).max(90).default(14),
});
export type ReportsConfig = z.output<typeof reportsConfigSchema>;

/** Channels a report names that `alerts.channels` does not declare (paths under `reports`). */
export function reportChannelProblems(
  reports: ReportsConfig | undefined,
  channels: ReadonlySet<string>,
): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  for (const kind of ['shiftEnd', 'daily'] as const)
    reports?.[kind]?.channels.forEach((id, i) => {
      if (!channels.has(id))
        out.push({
          path: [kind, 'channels', i],
          message: `unknown channel "${id}" (declare it under alerts.channels)`,
        });
    });
  return out;
}
