import type { ImportEncoding, ImportMappingBody, Message } from '@takt/protocol';
import { CsvUnreadable, parseCsvRows, type SourceRow } from './csv';
import { decodeCsv, type ReadEncoding } from './decode';
import { readRows, type ReadRow, type RowsRead } from './rows';
import { ImportLimitError, SpreadsheetError, type SheetLimits } from './sheet-limits';

/** Bounds on one import's reading (docs/work-orders.md "Import"). */
export interface ImportLimits extends SheetLimits {
  /** The reading is stopped after this long (it runs in a worker thread: import-reader.ts). */
  timeLimitMs: number;
  /** The worker's heap (V8 old generation), MB. */
  maxHeapMb: number;
}

export const IMPORT_LIMITS: ImportLimits = {
  // An ERP export of open orders: thousands of rows, a dozen columns.
  maxRows: 50_000,
  maxColumns: 50,
  maxUnzippedBytes: 64 * 1024 * 1024,
  maxZipEntries: 1_000,
  timeLimitMs: 30_000,
  maxHeapMb: 512,
};

/** One file to read: what the import route received, how to read it, the plant's time zone. */
export interface ImportJob {
  kind: 'csv' | 'xlsx';
  /** The file's bytes. */
  data: Uint8Array;
  /** A CSV's encoding (an .xlsx is always UTF-8 inside). */
  encoding: ImportEncoding;
  mappingName: string;
  mapping: ImportMappingBody;
  timeZone: string;
  limits: SheetLimits;
}

/** Each row read (or the file's one refused row), or why the file is refused as a whole. */
export type ImportOutcome =
  | ({ ok: true; encoding: ReadEncoding | null } & RowsRead)
  | { ok: false; status: 400 | 413; message: string };

/** The whole file refused as one row: where, and why. */
const fileRefused = (row: number, error: Message): ReadRow[] => [
  { row, id: null, errors: [{ column: null, error }] },
];

/**
 * A file -> its rows read through the mapping (work-orders/rows.ts), or a refusal: not a
 * workbook (400), or over a limit (413). Runs in the import worker (import-worker.ts),
 * never on ingest's event loop; plain data in and out, so it crosses the thread boundary.
 */
export async function readImport(job: ImportJob): Promise<ImportOutcome> {
  try {
    let encoding: ReadEncoding | null = null;
    let rows: SourceRow[];
    if (job.kind === 'csv') {
      const decoded = decodeCsv(job.data, job.encoding);
      if (!decoded.ok)
        return { ok: true, encoding: null, headers: {}, rows: fileRefused(1, decoded.error) };
      encoding = decoded.encoding;
      try {
        rows = parseCsvRows(decoded.text);
      } catch (error) {
        if (!(error instanceof CsvUnreadable)) throw error;
        const problem = {
          key: 'import.csv.unreadable',
          params: { line: error.line, reason: error.message },
        };
        return { ok: true, encoding, headers: {}, rows: fileRefused(error.line, problem) };
      }
    } else {
      // exceljs loads only for a workbook (about a second of the worker's start).
      rows = await (await import('./xlsx')).xlsxRows(Buffer.from(job.data), job.limits);
    }
    if (rows.length > job.limits.maxRows + 1)
      throw new ImportLimitError(
        `the file has ${rows.length - 1} rows; an import reads at most ${job.limits.maxRows}: split it`,
      );
    const read = readRows(rows, {
      mappingName: job.mappingName,
      mapping: job.mapping,
      timeZone: job.timeZone,
      sheet: job.kind === 'xlsx',
    });
    return { ok: true, encoding, ...read };
  } catch (error) {
    if (error instanceof SpreadsheetError)
      return { ok: false, status: 400, message: error.message };
    if (error instanceof ImportLimitError)
      return { ok: false, status: 413, message: error.message };
    throw error;
  }
}
