import ExcelJS from 'exceljs';
import type { SourceRow } from './csv';
import { ImportLimitError, SpreadsheetError, type SheetLimits } from './sheet-limits';
import { unzipBounded, ZipRefusal } from './zip';

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A cell as the text a CSV export would hold. Excel keeps dates without a time zone
 * (exceljs reads them as UTC wall-clock): a date is written `YYYY-MM-DD` (with ` HH:mm`
 * when it has a time), so that the import reads it in the plant's time zone, as for a CSV.
 */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    const day = `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
    const hhmm = `${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}`;
    // A date and time cell keeps its time (read in the plant's zone as well).
    return hhmm === '00:00' ? day : `${day} ${hhmm}`;
  }
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue); // a formula
    if ('text' in value) return String(value.text); // a hyperlink
    if ('error' in value) return '';
  }
  return String(value);
}

/** `SF` -> 500 (A1 notation: letters are the column in base 26, A = 1). */
function columnNumber(letters: string): number {
  let n = 0;
  for (const c of letters.toUpperCase()) n = n * 26 + (c.charCodeAt(0) - 64);
  return n;
}

const limitsText = (l: SheetLimits) =>
  `an import reads at most ${l.maxRows} rows and ${l.maxColumns} columns`;

/**
 * A worksheet declares its extent (`<dimension ref="A1:SF8000"/>`, ECMA-376 Part 1
 * 18.3.1.35) before its cells: a sheet whose extent is over the limits is refused before
 * exceljs builds anything from it.
 */
function checkDeclaredExtent(files: Map<string, Buffer>, limits: SheetLimits): void {
  for (const [name, xml] of files) {
    if (!/^xl\/worksheets\/[^/]+\.xml$/.test(name)) continue;
    const head = xml.toString('utf8', 0, Math.min(xml.length, 64 * 1024));
    const ref = /<(?:\w+:)?dimension\s+ref="([^"]*)"/.exec(head)?.[1];
    const end = ref && /([A-Za-z]{1,3})(\d{1,7})$/.exec(ref);
    if (!end) continue; // none declared: the cells are checked as they are read
    const column = columnNumber(end[1]!);
    const row = Number(end[2]);
    if (row > limits.maxRows || column > limits.maxColumns)
      throw new ImportLimitError(
        `the workbook is too large: a worksheet (${name}) declares cells up to row ${row}, column ${column} (${end[0]}); ${limitsText(limits)}`,
      );
  }
}

/**
 * The first worksheet of an .xlsx file as rows of text cells with their row numbers, header first; rows without
 * any cell are left out (the import skips blank lines anyway). Refused before exceljs reads
 * it: an archive over the unzipped budget and sheets declared over the row and column
 * limits; while reading: any cell past those limits. Only cells that exist are visited.
 */
export async function xlsxRows(data: Buffer, limits: SheetLimits): Promise<SourceRow[]> {
  try {
    checkDeclaredExtent(
      unzipBounded(data, { maxBytes: limits.maxUnzippedBytes, maxEntries: limits.maxZipEntries }),
      limits,
    );
  } catch (error) {
    if (!(error instanceof ZipRefusal)) throw error;
    if (error.kind === 'format')
      throw new SpreadsheetError(`not an .xlsx workbook: ${error.message}`);
    throw new ImportLimitError(`the workbook is too large: ${error.message}`);
  }
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(data as unknown as ArrayBuffer);
  } catch (error) {
    throw new SpreadsheetError(`not an .xlsx workbook: ${(error as Error).message}`);
  }
  const sheet = book.worksheets[0];
  if (!sheet) throw new SpreadsheetError('the workbook has no worksheet');
  const sparse: { line: number; cells: Map<number, string> }[] = [];
  let width = 0;
  sheet.eachRow({ includeEmpty: false }, (row) => {
    if (row.number > limits.maxRows)
      throw new ImportLimitError(
        `the worksheet has cells in row ${row.number}; ${limitsText(limits)}`,
      );
    const cells = new Map<number, string>();
    row.eachCell({ includeEmpty: false }, (cell, column) => {
      if (column > limits.maxColumns)
        throw new ImportLimitError(
          `the worksheet has cells in column ${column} (${cell.address}); ${limitsText(limits)}`,
        );
      const text = cellText(cell.value).trim();
      if (text === '') return;
      cells.set(column, text);
      width = Math.max(width, column);
    });
    if (cells.size > 0) sparse.push({ line: row.number, cells });
  });
  return sparse.map(({ line, cells }) => ({
    line,
    cells: Array.from({ length: width }, (_, i) => cells.get(i + 1) ?? ''),
  }));
}
