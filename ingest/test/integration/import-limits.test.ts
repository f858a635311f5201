import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImportReader } from '../../src/work-orders/import-reader';
import { BUILT_IN_MAPPINGS } from '../../src/work-orders/mappings';
import { IMPORT_LIMITS } from '../../src/work-orders/read-import';
import { startAccessFixture, type AccessFixture } from '../helpers/access-fixture';

/*
 * Imports are read off the event loop and within limits (docs/decisions.md "Issue 18 —
 * imports off the event loop, one CSV writer, errors without internals"): a tiny workbook
 * declaring millions of cells and zip bombs are refused cheaply, a slow file is stopped by
 * the time limit, and ingest answers other requests while a file is being read.
 */
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADER = 'order_id,product,quantity,due_date,customer,priority,routing';
let f: AccessFixture;

beforeAll(async () => {
  f = await startAccessFixture();
});
afterAll(() => f?.stop());

async function post(body: string | Buffer, type: string) {
  const response = await fetch(`${f.ingest.url}/api/work-orders/import`, {
    method: 'POST',
    headers: { ...(await f.headersOf('manager')), 'content-type': type },
    body,
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers checked field by field
  return { status: response.status, body: (await response.json()) as any };
}

/** A zip archive written by hand (APPNOTE 4.3) from deflated entries; CRCs are left 0. */
function zip(
  entries: { name: string; packed: Buffer; size: number; declaredSize?: number }[],
): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, packed, size, declaredSize } of entries) {
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(declaredSize ?? size, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(declaredSize ?? size, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, packed);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A sheet of 80 MB of blank XML, deflated: a few hundred kB. */
function bombSheet(): { packed: Buffer; size: number } {
  const xml = Buffer.concat([
    Buffer.from('<worksheet><sheetData>'),
    Buffer.alloc(80 * 1024 * 1024, ' '),
    Buffer.from('</sheetData></worksheet>'),
  ]);
  return { packed: deflateRawSync(xml), size: xml.length };
}

describe('work-order imports within limits (issue 18)', () => {
  it('refuses a tiny workbook that declares a cell at row 8000, column 500, before reading it', async () => {
    const book = new ExcelJS.Workbook();
    book.addWorksheet('Orders').getCell(8000, 500).value = 'x';
    const file = Buffer.from(await book.xlsx.writeBuffer());
    expect(file.length).toBeLessThan(10_000);
    const answer = await post(file, XLSX);
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ code: 'INGEST_ERR_IMPORT_LIMIT' });
    expect(answer.body.message).toBe(
      'the workbook is too large: a worksheet (xl/worksheets/sheet1.xml) declares cells up to row 8000, column 500 (SF8000); an import reads at most 50000 rows and 50 columns',
    );
  });

  it('refuses a zip bomb by the sizes it declares, and one that lies about them while unzipping', async () => {
    const sheet = { name: 'xl/worksheets/sheet1.xml', ...bombSheet() };
    const honest = zip([sheet]);
    expect(honest.length).toBeLessThan(1024 * 1024);
    const lying = zip([{ ...sheet, declaredSize: 1000 }]);
    for (const file of [honest, lying]) {
      const answer = await post(file, XLSX);
      expect(answer.status).toBe(413);
      expect(answer.body.message).toBe('the workbook is too large: it unzips to more than 64 MB');
    }
    const notABook = await post(Buffer.from('order_id,product'), XLSX);
    expect(notABook.status).toBe(400);
    expect(notABook.body.message).toBe('not an .xlsx workbook: it is not a zip archive');
  }, 60_000); // 80 MB deflated in the test, three workers started

  it('refuses a CSV with more rows than an import reads', async () => {
    const line = 'WO-1,part-a,10,2026-12-01T12:00:00Z,,,OP10@golden-1';
    const csv = [HEADER, ...Array.from({ length: IMPORT_LIMITS.maxRows + 1 }, () => line)];
    const answer = await post(csv.join('\n'), 'text/csv');
    expect(answer.status).toBe(413);
    expect(answer.body.message).toBe(
      `the file has ${IMPORT_LIMITS.maxRows + 1} rows; an import reads at most ${IMPORT_LIMITS.maxRows}: split it`,
    );
  });

  it('answers /api/health while a large file is being read', async () => {
    // 20,000 good rows and a bad last one: all of it is read and checked, then nothing committed.
    const rows = Array.from(
      { length: 20_000 },
      (_, i) => `WO-${i},part-a,10,2026-12-01T12:00:00Z,Acme,1,OP10@golden-1`,
    );
    const csv = [HEADER, ...rows, 'WO-bad,part-a,ten,2026-12-01T12:00:00Z,Acme,1,OP10@golden-1'];
    const finished: string[] = [];
    const importing = post(csv.join('\n'), 'text/csv').then((answer) => {
      finished.push('import');
      return answer;
    });
    // Once ingest has the import in hand, ask for its health.
    const seen = (line: string) => line.includes('incoming request') && line.includes('/import');
    while (!f.logLines.some(seen)) await new Promise((r) => setTimeout(r, 10));
    const health = await fetch(`${f.ingest.url}/api/health`);
    finished.push('health');
    expect(health.status).toBe(200);
    const answer = await importing;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ committed: false, counts: { refuse: 1 } });
    expect(answer.body.rows.at(-1)).toMatchObject({ row: 20_002, action: 'refuse' });
    expect(finished).toEqual(['health', 'import']);
  });

  it('stops a reading past the time limit, and reads as many files at once as allowed', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Orders');
    sheet.addRow(HEADER.split(','));
    for (let i = 0; i < 2000; i++) sheet.addRow([`WO-${i}`, 'part-a', 10, '', '', '', 'OP10@m']);
    const data = Buffer.from(await book.xlsx.writeBuffer());
    const reader = createImportReader({ ...IMPORT_LIMITS, timeLimitMs: 1 }, 1);
    const job = {
      encoding: 'auto',
      mappingName: 'takt',
      mapping: BUILT_IN_MAPPINGS.takt!,
      timeZone: 'UTC',
    } as const;
    const csv = Buffer.from(HEADER);
    const first = reader.read({ ...job, kind: 'xlsx', data });
    expect(reader.read({ ...job, kind: 'csv', data: csv })).toBeUndefined();
    expect(await first).toEqual({
      ok: false,
      status: 413,
      message:
        'the file is too large to read: reading it took longer than 0.001 s; split it into smaller files',
    });
    const again = await reader.read({ ...job, kind: 'csv', data: csv });
    expect(again).toMatchObject({ ok: true, encoding: 'utf-8', rows: [] });
    await reader.stop();
  });
});
