import type { z } from 'zod';
import { INGEST_ERRORS, IngestError } from '../errors';

/** A query that fails its schema -> 400 with the first problem, named by its field. */
export function badRequest(error: z.ZodError): IngestError {
  const issue = error.issues[0]!;
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return new IngestError(
    'INGEST_ERR_BAD_REQUEST',
    INGEST_ERRORS.INGEST_ERR_BAD_REQUEST(`${where}${issue.message}`),
    400,
  );
}
