import ExcelJS from 'exceljs';

/** What an import refuses before reading rows: not a workbook, or an empty one. */
export class SpreadsheetError extends Error {}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A cell as the text a CSV export would hold. Excel keeps dates without a time zone
 * (exceljs reads them as UTC wall-clock): a date is written `YYYY-MM-DD`, so that the
 * import reads it as the end of that day in the plant's time zone, as for a CSV.
 */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date)
    return `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue); // a formula
    if ('text' in value) return String(value.text); // a hyperlink
    if ('error' in value) return '';
  }
  return String(value);
}

/** The first worksheet of an .xlsx file as rows of text cells, header first. */
export async function xlsxRows(data: Buffer): Promise<string[][]> {
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(data as unknown as ArrayBuffer);
  } catch (error) {
    throw new SpreadsheetError(`not an .xlsx workbook: ${(error as Error).message}`);
  }
  const sheet = book.worksheets[0];
  if (!sheet) throw new SpreadsheetError('the workbook has no worksheet');
  const width = sheet.columnCount;
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row) => {
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c).value).trim());
    rows.push(cells);
  });
  return rows;
}
