/*
 * Windows of route queries. A bounded from/to window (both given, `to` after `from`, at most
 * N days) is `windowChecked` in protocol/src/api/common.ts, shared with the API contracts;
 * this is the one for windows whose ends have defaults.
 */
import { INGEST_ERRORS, IngestError } from '../errors';

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
