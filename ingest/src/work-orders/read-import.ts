import type { WorkOrderInput } from '@takt/protocol';
import { parseCsv, parseWorkOrderRows, type RowError } from './csv';
import { ImportLimitError, SpreadsheetError, type SheetLimits } from './sheet-limits';

/** Bounds on one import's reading (docs/work-orders.md "Import"). */
export interface ImportLimits extends SheetLimits {
  /** The reading is stopped after this long (it runs in a worker thread: import-reader.ts). */
  timeLimitMs: number;
  /** The worker's heap (V8 old generation), MB. */
  maxHeapMb: number;
}

export const IMPORT_LIMITS: ImportLimits = {
  // An ERP export of open orders: thousands of rows, 7 columns (WORK_ORDER_CSV_COLUMNS).
  maxRows: 50_000,
  maxColumns: 50,
  maxUnzippedBytes: 64 * 1024 * 1024,
  maxZipEntries: 1_000,
  timeLimitMs: 30_000,
  maxHeapMb: 512,
};

/** One file to read: what the import route received, and the plant's time zone. */
export interface ImportJob {
  kind: 'csv' | 'xlsx';
  /** The CSV's text, or the .xlsx's bytes. */
  data: string | Uint8Array;
  timeZone: string;
  limits: SheetLimits;
}

/** The orders read (or each row's problems), or why the file is refused as a whole. */
export type ImportOutcome =
  | { ok: true; orders: WorkOrderInput[]; errors: RowError[] }
  | { ok: false; status: 400 | 413; message: string };

/**
 * A file -> work orders, every row checked (work-orders/csv.ts), or a refusal: not a
 * workbook (400), or over a limit (413). Runs in the import worker (import-worker.ts),
 * never on ingest's event loop; plain data in and out, so it crosses the thread boundary.
 */
export async function readImport(job: ImportJob): Promise<ImportOutcome> {
  try {
    const rows =
      job.kind === 'csv'
        ? parseCsv(String(job.data).replace(/^\uFEFF/, ''))
        : // exceljs loads only for a workbook (about a second of the worker's start).
          await (await import('./xlsx')).xlsxRows(Buffer.from(job.data as Uint8Array), job.limits);
    if (rows.length > job.limits.maxRows + 1)
      throw new ImportLimitError(
        `the file has ${rows.length - 1} rows; an import reads at most ${job.limits.maxRows}: split it`,
      );
    return { ok: true, ...parseWorkOrderRows(rows, job.timeZone) };
  } catch (error) {
    if (error instanceof SpreadsheetError)
      return { ok: false, status: 400, message: error.message };
    if (error instanceof ImportLimitError)
      return { ok: false, status: 413, message: error.message };
    throw error;
  }
}
