import { describe, expect, it } from 'vitest';
import { parseCsv, parseWorkOrderCsv } from '../../src/work-orders/csv';

const header = 'order_id,product,quantity,due_date,customer,priority,routing';

describe('work-order CSV import', () => {
  it('parses RFC 4180 quoting and line ends', () => {
    expect(parseCsv('a,"b,c","say ""hi"""\r\n1,2,3\n')).toEqual([
      ['a', 'b,c', 'say "hi"'],
      ['1', '2', '3'],
    ]);
  });

  it('turns an ERP export into orders', () => {
    const { orders, errors } = parseWorkOrderCsv(
      `\uFEFF${header}\nWO-1,bracket-b12,500,2026-12-01,"Acme, Ltd",2,OP10@press-01;OP20@assembly-01\n`,
    );
    expect(errors).toEqual([]);
    expect(orders).toEqual([
      {
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
      },
    ]);
  });

  it('reads a bare due date as the end of that day in the plant time zone', () => {
    const csv = `${header}\nWO-1,p,10,2026-12-01,,,OP10@m1\nWO-2,p,10,2026-12-01T12:00:00+08:00,,,OP10@m1\n`;
    const { orders } = parseWorkOrderCsv(csv, 'Asia/Shanghai');
    // Midnight after Dec 1 in Shanghai is 16:00 UTC; an explicit offset is kept as given.
    expect(orders.map((o) => o.dueAt)).toEqual([
      '2026-12-01T15:59:59.000Z',
      '2026-12-01T12:00:00+08:00',
    ]);
  });

  it('refuses the whole file, row by row with reasons', () => {
    const { orders, errors } = parseWorkOrderCsv(
      [
        header,
        'WO-1,p,10,2026-12-01,,,OP10@m1',
        'WO-2,p,-5,2026-12-01,,,OP10@m1',
        'WO-1,p,10,2026-12-01,,,OP10@m1',
        'WO-3,p,10,someday,,,OP10@m1',
        'WO-4,p,10,,,,',
      ].join('\n'),
    );
    expect(orders).toEqual([]);
    expect(errors).toEqual([
      { line: 3, message: expect.stringContaining('quantity: Too small') },
      { line: 4, message: 'order WO-1 is already on line 2' },
      { line: 5, message: expect.stringContaining('dueAt') },
      { line: 6, message: expect.stringContaining('operations: Too small') },
    ]);
  });

  it('names a wrong or missing column', () => {
    expect(parseWorkOrderCsv('order_id,product,qty,due_date,routing\n').errors).toEqual([
      { line: 1, message: expect.stringContaining('unknown column qty') },
      { line: 1, message: 'missing column quantity' },
    ]);
  });
});
