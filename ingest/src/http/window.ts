import { isoTimeSchema } from '@takt/protocol';
import type { z } from 'zod';
import { INGEST_ERRORS, IngestError } from '../errors';

const DAY_MS = 86_400_000;

/** The `from` and `to` of a query that takes a window, ISO 8601 with an offset. */
export const windowFields = { from: isoTimeSchema, to: isoTimeSchema };

/**
 * A window query's checks, after any of the schema's own: `to` after `from`, and at most
 * `maxDays` long (every window a route reads is bounded before the database sees it).
 */
export function boundedWindow<S extends z.ZodType<{ from: string; to: string }>>(
  schema: S,
  maxDays: number,
): S {
  return schema
    .refine((q) => Date.parse(q.to) > Date.parse(q.from), {
      message: 'to must be after from',
      path: ['to'],
    })
    .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= maxDays * DAY_MS, {
      message: `the window is longer than ${maxDays} days`,
      path: ['to'],
    });
}

/**
 * A window whose ends may be left out: `to` defaults to now, `from` to `defaultSpanMs`
 * before `to`. Throws a 400 when `from` is not before `to`.
 */
export function windowWithDefaults(
  q: { from?: string | undefined; to?: string | undefined },
  defaultSpanMs: number,
  now = Date.now(),
): { fromMs: number; toMs: number } {
  const toMs = q.to === undefined ? now : Date.parse(q.to);
  const fromMs = q.from === undefined ? toMs - defaultSpanMs : Date.parse(q.from);
  if (fromMs >= toMs)
    throw new IngestError(
      'INGEST_ERR_BAD_REQUEST',
      INGEST_ERRORS.INGEST_ERR_BAD_REQUEST('from must be before to'),
      400,
    );
  return { fromMs, toMs };
}
