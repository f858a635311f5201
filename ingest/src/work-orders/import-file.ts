import {
  SERVER_MESSAGES,
  renderMessage,
  type ImportEncoding,
  type ImportResult,
  type MessageLang,
} from '@takt/protocol';
import type { Pool } from 'pg';
import { INGEST_ERRORS, IngestError } from '../errors';
import type { Actor } from './changes';
import type { ImportReader } from './import-reader';
import { findMapping } from './mapping-store';
import { runImport } from './plan-import';

/** One file to import and how (the route's query, or the watched folder's settings). */
export interface ImportRequest {
  kind: 'csv' | 'xlsx';
  data: Uint8Array;
  mapping: string;
  /** undefined: the mapping's default encoding, else `auto`. */
  encoding?: ImportEncoding;
  dryRun: boolean;
  validRows: boolean;
  actor: Actor;
  lang: MessageLang;
}

/** The plant's time zone: dates without an offset are read as its wall clock. */
async function plantTimeZone(pool: Pool): Promise<string> {
  const zone = await pool.query<{ time_zone: string }>(
    'SELECT time_zone FROM sites ORDER BY id LIMIT 1',
  );
  return zone.rows[0]?.time_zone ?? 'UTC';
}

/**
 * Reads a file in a worker (import-reader.ts) through its mapping, plans each row against
 * the orders and commits unless asked not to (plan-import.ts): the import's answer, every
 * row with its action, changes or errors rendered in `lang`. Refusals of the whole request
 * (no such mapping, not a workbook, over a limit, busy) are IngestErrors.
 */
export async function importFile(
  pool: Pool,
  reader: ImportReader,
  request: ImportRequest,
): Promise<ImportResult> {
  const mapping = await findMapping(pool, request.mapping);
  if (!mapping)
    throw new IngestError(
      'INGEST_ERR_BAD_REQUEST',
      `no import mapping named "${request.mapping}" (GET /api/import-mappings lists them)`,
      400,
    );
  const timeZone = await plantTimeZone(pool);
  const reading = reader.read({
    kind: request.kind,
    data: request.data,
    encoding: request.encoding ?? mapping.encoding ?? 'auto',
    mappingName: request.mapping,
    mapping,
    timeZone,
  });
  if (!reading)
    throw new IngestError('INGEST_ERR_IMPORT_BUSY', INGEST_ERRORS.INGEST_ERR_IMPORT_BUSY(), 429);
  const outcome = await reading;
  if (!outcome.ok)
    throw new IngestError(
      outcome.status === 413 ? 'INGEST_ERR_IMPORT_LIMIT' : 'INGEST_ERR_BAD_REQUEST',
      outcome.message,
      outcome.status,
    );
  const run = await runImport(pool, outcome, request);
  const counts = { create: 0, update: 0, unchanged: 0, refuse: 0, finished: 0 };
  for (const r of run.rows) counts[r.action]++;
  return {
    dryRun: request.dryRun,
    committed: run.committed,
    encoding: outcome.encoding,
    mapping: request.mapping,
    counts,
    rows: run.rows.map((r) => ({
      row: r.row,
      id: r.id,
      action: r.action,
      ...(r.changes && { changes: r.changes }),
      ...(r.errors.length > 0 && {
        errors: r.errors.map((e) => ({
          column: e.column,
          code: e.error.key,
          params: e.error.params ?? {},
          message: renderMessage(SERVER_MESSAGES, e.error, request.lang, { timeZone }),
        })),
      }),
    })),
  };
}
