import ExcelJS from 'exceljs';
import { createImportReader } from '../ingest/src/work-orders/import-reader';
import { IMPORT_LIMITS, readImport } from '../ingest/src/work-orders/read-import';
import { BUILT_IN_MAPPINGS } from '../ingest/src/work-orders/mappings';
import { printTable } from './table';

/** Takt's own columns, the plant in UTC (the workbook's reading is what is measured). */
const TAKT_JOB = {
  encoding: 'auto',
  mappingName: 'takt',
  mapping: BUILT_IN_MAPPINGS.takt!,
  timeZone: 'UTC',
} as const;

/** Issue 18's workbook: 6 kB, one cell at row 8,000, column 500. */
async function craftedWorkbook(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.addWorksheet('Orders').getCell(8000, 500).value = 'x';
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** The reading before issue 18, on the event loop: every row and column the sheet declares. */
async function readAsBefore(data: Buffer): Promise<number> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(data as unknown as ArrayBuffer);
  const sheet = book.worksheets[0]!;
  const width = sheet.columnCount;
  let cells = 0;
  sheet.eachRow({ includeEmpty: true }, (row) => {
    for (let c = 1; c <= width; c++) if (row.getCell(c).value !== null) cells++;
  });
  return cells;
}

const ms = (from: number) => (performance.now() - from).toFixed(0);

/**
 * Time to refuse the crafted workbook: the reading before issue 18 (it did not refuse it,
 * it read 4 million empty cells and then found no known column) against today's worker
 * (start included), and the longest the event loop was held meanwhile.
 */
export async function benchImports(): Promise<Record<string, unknown>> {
  const data = await craftedWorkbook();
  const loopGap = () => {
    let worst = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last - 10);
      last = now;
    }, 10);
    return () => {
      clearInterval(timer);
      return Math.max(worst, performance.now() - last - 10).toFixed(0); // the gap up to now
    };
  };
  let gap = loopGap();
  let t0 = performance.now();
  await readAsBefore(data);
  const before = { ms: ms(t0), loopHeldMs: gap() };
  t0 = performance.now();
  const inThread = await readImport({ ...TAKT_JOB, kind: 'xlsx', data, limits: IMPORT_LIMITS });
  const checks = { ms: ms(t0), status: inThread.ok ? 200 : inThread.status };
  const reader = createImportReader(IMPORT_LIMITS);
  gap = loopGap();
  t0 = performance.now();
  const outcome = (await reader.read({ ...TAKT_JOB, kind: 'xlsx', data }))!;
  const after = { ms: ms(t0), loopHeldMs: gap(), status: outcome.ok ? 200 : outcome.status };
  await reader.stop();
  printTable([
    ['reading', 'ms to answer', 'event loop held, ms', 'answer'],
    ['before (eachRow includeEmpty)', before.ms, before.loopHeldMs, '422 (no known column)'],
    ['worker, limits first (start included)', after.ms, after.loopHeldMs, String(after.status)],
    ['the limit checks alone (no worker)', checks.ms, checks.ms, String(checks.status)],
  ]);
  return { bytes: data.length, before, after, checks };
}
