import { z } from 'zod';
import { idSchema } from '../ids';
import { isoTimeSchema } from '../live';

export { idSchema, isoTimeSchema };

/**
 * A path parameter naming a thing (a machine, an order, a user): 1-200 characters and no
 * control character (C0, DEL, C1: NUL, tab, line breaks). PostgreSQL refuses NUL in text,
 * so such an id would reach the database only to fail there; it is a 400 here instead
 * (docs/decisions.md "Issue 18 — imports off the event loop, one CSV writer, errors without
 * internals").
 */
export const pathIdSchema = z.string().regex(
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  /^[^\u0000-\u001f\u007f-\u009f]{1,200}$/,
  'must be 1-200 characters without control characters (NUL, tab, line breaks)',
);

/** Path parameter `id` as a string (a machine, an order). */
export const stringIdParams = z.strictObject({ id: pathIdSchema });
/** Path parameter `id` as a positive integer (an alert, a token). */
export const numericIdParams = z.strictObject({ id: z.coerce.number().int().positive() });

/** An ISO time the server writes as JSON (a Date serialises to this). */
export const timeOut = z.iso.datetime();

const DAY_MS = 24 * 3_600_000;

/** `from` before `to`, and a window no longer than `days` (400 with the reason otherwise). */
export function windowChecked<S extends z.ZodType<{ from: string; to: string }>>(
  schema: S,
  days: number,
) {
  return schema
    .refine((q) => Date.parse(q.to) > Date.parse(q.from), {
      message: 'to must be after from',
      path: ['to'],
    })
    .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= days * DAY_MS, {
      message: `the window is longer than ${days} days`,
      path: ['to'],
    });
}

export const okSchema = z.object({ ok: z.literal(true) });
