import { CsvError, parse } from 'csv-parse/sync';

/** One record of a file, with the line (CSV) or sheet row it starts on. */
export interface SourceRow {
  line: number;
  cells: string[];
}

/** A CSV the parser cannot read: where, and why (csv-parse's reason, in English). */
export class CsvUnreadable extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * RFC 4180 records over csv-parse: commas, double quotes (`""` inside quotes), CRLF, LF or
 * CR line ends, blank lines skipped, rows of any length (a missing cell is empty, an extra
 * one is ignored by the mapping).
 */
export function parseCsvRows(text: string): SourceRow[] {
  try {
    const records = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return records.map(({ record, info }) => ({
      // csv-parse counts to the record's end: a quoted cell spanning lines starts earlier.
      line: info.lines - record.reduce((n, c) => n + (c.match(/\n/g)?.length ?? 0), 0),
      cells: record,
    }));
  } catch (error) {
    if (error instanceof CsvError)
      throw new CsvUnreadable((error as CsvError & { lines?: number }).lines ?? 1, error.message);
    throw error;
  }
}

/** The cells of a CSV (tests read ingest's CSV answers back with it). */
export const parseCsv = (text: string): string[][] => parseCsvRows(text).map((r) => r.cells);
