/** What an import refuses before reading rows: not a workbook, or an empty one (a 400). */
export class SpreadsheetError extends Error {}

/** What an import refuses for its size: a sheet, an archive or a row count over a limit (a 413). */
export class ImportLimitError extends Error {}

/** How much of a file an import reads at most (read-import.ts IMPORT_LIMITS). */
export interface SheetLimits {
  maxRows: number;
  maxColumns: number;
  /** What all the files inside an .xlsx unzip to, together. */
  maxUnzippedBytes: number;
  maxZipEntries: number;
}
