import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseCsv, parseCsvRows } from '../../src/work-orders/csv';
import { readDate } from '../../src/work-orders/dates';
import { decodeCsv } from '../../src/work-orders/decode';
import { BUILT_IN_MAPPINGS, resolveColumns } from '../../src/work-orders/mappings';
import { readRows } from '../../src/work-orders/rows';

const kingdee = { mappingName: 'kingdee', mapping: BUILT_IN_MAPPINGS.kingdee!, sheet: false };
const read = (csv: string, how = kingdee, timeZone = 'Asia/Shanghai') =>
  readRows(parseCsvRows(csv), { ...how, timeZone });

describe('import encodings', () => {
  const text = '单据编号,物料编码,数量,客户\nMO-1,bracket-b12,10,华东机械\n';

  it('reads UTF-8 with and without a BOM', () => {
    expect(decodeCsv(Buffer.from(text), 'auto')).toEqual({ ok: true, text, encoding: 'utf-8' });
    expect(decodeCsv(Buffer.from(`\uFEFF${text}`), 'auto')).toEqual({
      ok: true,
      text,
      encoding: 'utf-8',
    });
  });

  it('detects GBK (what Chinese Excel saves CSV in) as GB18030, and reads it when chosen', () => {
    const gbk = iconv.encode(text, 'gbk');
    expect(decodeCsv(gbk, 'auto')).toEqual({ ok: true, text, encoding: 'gb18030' });
    expect(decodeCsv(gbk, 'gbk')).toEqual({ ok: true, text, encoding: 'gbk' });
  });

  it('refuses bytes neither UTF-8 nor GB18030, naming the line, and a wrong choice', () => {
    const bad = Buffer.concat([Buffer.from('a,b\n1,2\n'), Buffer.from([0x81, 0x20, 0x0a])]);
    expect(decodeCsv(bad, 'auto')).toEqual({
      ok: false,
      error: { key: 'import.encoding.unknown', params: { line: 3 } },
    });
    expect(decodeCsv(iconv.encode(text, 'gbk'), 'utf-8')).toEqual({
      ok: false,
      error: { key: 'import.encoding.invalid', params: { encoding: 'UTF-8', line: 1 } },
    });
  });
});

describe('import CSV parsing (csv-parse)', () => {
  it('parses RFC 4180 quoting and line ends, and gives each record its line', () => {
    expect(parseCsv('a,"b,c","say ""hi"""\r\n1,2,3\n')).toEqual([
      ['a', 'b,c', 'say "hi"'],
      ['1', '2', '3'],
    ]);
    expect(parseCsvRows('h1,h2\n\n"x\ny",2\nz,3\n').map((r) => r.line)).toEqual([1, 3, 5]);
  });
});

describe('import dates', () => {
  const zone = { timeZone: 'Asia/Shanghai', endOfDay: true, sheet: false };

  it('reads the usual ERP forms in the plant time zone; a bare day is due at its end', () => {
    expect(readDate('2026-12-08', zone)).toBe('2026-12-08T15:59:59.000Z');
    expect(readDate('2026/12/8', zone)).toBe('2026-12-08T15:59:59.000Z');
    expect(readDate('2026-12-08 17:30', zone)).toBe('2026-12-08T09:30:00.000Z');
    expect(readDate('2026-12-08T12:00:00+08:00', zone)).toBe('2026-12-08T04:00:00.000Z');
    expect(readDate('2026-12-08', { ...zone, endOfDay: false })).toBe('2026-12-07T16:00:00.000Z');
  });

  it('reads Excel serials from a workbook only, and a mapping’s own formats', () => {
    expect(readDate('46364', { ...zone, sheet: true })).toBe('2026-12-08T15:59:59.000Z');
    expect(readDate('46364', zone)).toBeUndefined();
    expect(readDate('8.12.2026', { ...zone, formats: ['D.M.YYYY'] })).toBe(
      '2026-12-08T15:59:59.000Z',
    );
  });

  it('refuses what is not a date', () => {
    expect(readDate('2026/2/30', zone)).toBeUndefined();
    expect(readDate('next week', zone)).toBeUndefined();
    expect(readDate('12/08/2026', zone)).toBeUndefined();
  });
});

describe('import column mappings', () => {
  it('finds each field by the first of its header names present, ignoring other columns', () => {
    const { columns, missing } = resolveColumns(
      ['备注', '生产订单编号', '产品编码', '物料名称', '计划数量', '计划完工日期', '客户名称'],
      'kingdee',
      BUILT_IN_MAPPINGS.kingdee!,
    );
    expect(missing).toEqual([]);
    expect(columns).toMatchObject({
      id: { index: 1, header: '生产订单编号' },
      product: { index: 2 },
      quantity: { index: 4 },
      dueAt: { index: 5 },
      customer: { index: 6 },
    });
  });

  it('names each required field a header lacks', () => {
    const rows = read('单据编号,物料名称,数量\nMO-1,支架,10\n');
    expect(rows.rows).toEqual([
      {
        row: 1,
        id: null,
        errors: [
          {
            column: 'product',
            error: {
              key: 'import.mapping.missing',
              params: {
                field: 'product',
                mapping: 'kingdee',
                headers: expect.stringContaining('物料编码'),
              },
            },
          },
        ],
      },
    ]);
  });
});

describe('import rows', () => {
  it('reads a Kingdee export into orders without a routing cell', () => {
    const { rows } = read(
      '单据编号,物料编码,物料名称,数量,计划开工时间,计划完工时间,客户,备注\n' +
        'MO-1,bracket-b12,支架,"1,200.0000",2026/12/1 08:00,2026-12-08,华东机械,加急\n',
    );
    expect(rows).toEqual([
      {
        row: 2,
        id: 'MO-1',
        errors: [],
        order: {
          id: 'MO-1',
          product: 'bracket-b12',
          quantity: 1200,
          plannedStart: '2026-12-01T00:00:00.000Z',
          dueAt: '2026-12-08T15:59:59.000Z',
          customer: '华东机械',
        },
      },
    ]);
  });

  it('names the row and the column of each bad cell, and a duplicate id', () => {
    const { rows } = read(
      '生产订单号,物料编码,生产数量,完工日期,客户\n' +
        'MO-1,p1,ten,2026-12-08,A\n' +
        'MO-2,p1,5,someday,A\n' +
        'MO-2,p1,5,2026-12-09,A\n',
      { mappingName: 'yonyou', mapping: BUILT_IN_MAPPINGS.yonyou!, sheet: false },
    );
    const errs = rows.map((r) => ({
      row: r.row,
      ok: r.order !== undefined,
      errors: r.errors.map((e) => [e.column, e.error.key]),
    }));
    expect(errs).toEqual([
      { row: 2, ok: false, errors: [['生产数量', 'import.cell.quantity']] },
      { row: 3, ok: false, errors: [['完工日期', 'import.cell.date']] },
      { row: 4, ok: false, errors: [['生产订单号', 'import.row.duplicate']] },
    ]);
    expect(rows[2]!.errors[0]!.error.params).toEqual({ id: 'MO-2', first: 3 });
  });

  it('reads Takt’s own columns with a routing cell', () => {
    const { rows } = read(
      'order_id,product,quantity,due_date,customer,priority,routing\n' +
        'WO-1,bracket-b12,500,2026-12-01,"Acme, Ltd",2,OP10@press-01;OP20@assembly-01\n' +
        'WO-2,bracket-b12,5,,,,OP10\n',
      { mappingName: 'takt', mapping: BUILT_IN_MAPPINGS.takt!, sheet: false },
      'UTC',
    );
    expect(rows[0]!.order).toEqual({
      id: 'WO-1',
      product: 'bracket-b12',
      quantity: 500,
      dueAt: '2026-12-01T23:59:59.000Z',
      customer: 'Acme, Ltd',
      priority: 2,
      operations: [
        { id: 'OP10', machine: 'press-01' },
        { id: 'OP20', machine: 'assembly-01' },
      ],
    });
    expect(rows[1]!.errors.map((e) => [e.column, e.error.key])).toEqual([
      ['routing', 'import.cell.routing'],
    ]);
  });
});
