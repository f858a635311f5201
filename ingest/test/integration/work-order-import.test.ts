import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import iconv from 'iconv-lite';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, createUser, startIngest, type RunningIngest } from '../../src';
import { createTestDatabase } from '../helpers/test-db';

/**
 * ERP imports against real PostgreSQL (docs/decisions.md "Issue 20 — ERP imports and the
 * watched folder"): Kingdee and Yonyou exports in GBK, previews that commit nothing, updates
 * logged as changes, "import the valid rows", finished orders left alone, saved mappings.
 */
let broker: RunningBroker;
let ingest: RunningIngest;
let managerId: number;

beforeAll(async () => {
  const log = pino({ level: 'silent' });
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_imports'),
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: `ingest-imports-${Math.random()}` },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../fixtures/import-plant.yaml'),
    log,
  });
  managerId = (await createUser(ingest.pool, 'u-manager', 'manager', 'Correct-Horse-9'))!.id;
});
afterAll(async () => {
  await ingest?.stop();
  await broker?.stop();
});

async function call(method: string, path: string, body?: Buffer | string, type?: string) {
  const { token } = await createSession(ingest.pool, managerId, 60_000);
  const response = await fetch(`${ingest.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(type && { 'content-type': type }) },
    body,
  });
  const text = await response.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers checked field by field
  return { status: response.status, body: (text ? JSON.parse(text) : null) as any };
}

const gbk = (lines: string[]) => iconv.encode(`${lines.join('\r\n')}\r\n`, 'gbk');
const importCsv = (query: string, data: Buffer) =>
  call('POST', `/api/work-orders/import?${query}`, data, 'text/csv');

describe('ERP imports (issue 20)', () => {
  it('previews a GBK Kingdee export: 200 with counts and rows, and creates nothing', async () => {
    const file = gbk([
      '单据编号,物料编码,数量,计划完工时间,客户',
      'MO-K1,bracket-b12,500,2026-12-08,华东机械',
      'MO-K2,bracket-b12,20,2026/12/9 17:30,华东机械',
    ]);
    const answer = await importCsv('mapping=kingdee&dryRun=true', file);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      dryRun: true,
      committed: false,
      encoding: 'gb18030',
      mapping: 'kingdee',
      counts: { create: 2, update: 0, unchanged: 0, refuse: 0, finished: 0 },
      rows: [
        { row: 2, id: 'MO-K1', action: 'create' },
        { row: 3, id: 'MO-K2', action: 'create' },
      ],
    });
    expect((await call('GET', '/api/work-orders/MO-K1')).status).toBe(404);
  });

  it('previews a GBK Yonyou export the same way', async () => {
    const file = gbk([
      '生产订单号,物料编码,生产数量,完工日期,客户',
      'MO-Y1,bracket-b12,300,2026-12-10,华南电器',
    ]);
    const answer = await importCsv('mapping=yonyou&dryRun=true', file);
    expect(answer).toMatchObject({
      status: 200,
      body: { counts: { create: 1, update: 0, unchanged: 0, refuse: 0 }, rows: [{ id: 'MO-Y1' }] },
    });
    expect((await call('GET', '/api/work-orders/MO-Y1')).status).toBe(404);
  });

  it('names the row and the column of each error in the language asked', async () => {
    const file = gbk([
      '单据编号,物料编码,数量,计划完工时间,客户',
      'MO-E1,bracket-b12,十,2026-12-08,A',
      'MO-E2,housing-h7,5,2026-12-08,A',
      'MO-E3,no-such-part,5,明天,A',
    ]);
    const answer = await importCsv('mapping=kingdee&dryRun=true&lang=zh-CN', file);
    expect(answer.status).toBe(200);
    const errors = answer.body.rows.map((r: { row: number; errors: unknown[] }) => [
      r.row,
      r.errors,
    ]);
    expect(errors).toEqual([
      [
        2,
        [
          {
            column: '数量',
            code: 'import.cell.quantity',
            params: { value: '十' },
            message: '“十”不是有效的数量（1 到 10,000,000 的整数）',
          },
        ],
      ],
      [3, [expect.objectContaining({ column: 'routing', code: 'import.row.noRouting' })]],
      [4, [expect.objectContaining({ column: '计划完工时间', code: 'import.cell.date' })]],
    ]);
    expect(answer.body.counts.refuse).toBe(3);
  });

  it('refuses a mapping without a required column, an unknown encoding and mapping', async () => {
    const noProduct = await importCsv(
      'mapping=kingdee&dryRun=true',
      gbk(['单据编号,数量', 'MO-1,5']),
    );
    expect(noProduct.body.rows).toEqual([
      expect.objectContaining({
        row: 1,
        action: 'refuse',
        errors: [expect.objectContaining({ column: 'product', code: 'import.mapping.missing' })],
      }),
    ]);
    const garbage = Buffer.from([0x41, 0x0a, 0x81, 0x20, 0x0a]);
    const unknown = await importCsv('mapping=kingdee&dryRun=true', garbage);
    expect(unknown.body.rows[0].errors[0]).toMatchObject({
      code: 'import.encoding.unknown',
      params: { line: 2 },
    });
    expect((await importCsv('mapping=sap&dryRun=true', garbage)).status).toBe(400);
  });

  it('commits creates, then updates changed fields as logged changes, then finds nothing to do', async () => {
    const header = '单据编号,物料编码,数量,计划完工时间,客户';
    const first = await importCsv(
      'mapping=kingdee',
      gbk([header, 'MO-U1,bracket-b12,100,2026-12-08,A']),
    );
    expect(first.body).toMatchObject({ committed: true, counts: { create: 1 } });
    const created = await call('GET', '/api/work-orders/MO-U1');
    expect(created.body).toMatchObject({
      quantity: 100,
      dueAt: '2026-12-08T15:59:59.000Z', // the end of that day in Shanghai
      operations: [
        { id: 'OP10', machine: 'press-01' },
        { id: 'OP20', machine: 'cnc-01' },
      ],
    });
    const second = await importCsv(
      'mapping=kingdee',
      gbk([header, 'MO-U1,bracket-b12,150,2026-12-08,A']),
    );
    expect(second.body).toMatchObject({
      committed: true,
      counts: { update: 1 },
      rows: [{ action: 'update', changes: [{ field: 'quantity', before: 100, after: 150 }] }],
    });
    const history = await call('GET', '/api/work-orders/MO-U1/history');
    const changed = history.body.events.filter((e: { kind: string }) => e.kind === 'changed');
    expect(changed).toEqual([
      expect.objectContaining({
        detail: expect.objectContaining({
          by: 'u-manager',
          source: 'import',
          before: { quantity: 100 },
          after: { quantity: 150 },
        }),
      }),
    ]);
    const third = await importCsv(
      'mapping=kingdee',
      gbk([header, 'MO-U1,bracket-b12,150,2026-12-08,A']),
    );
    expect(third.body.counts).toMatchObject({ unchanged: 1, update: 0 });
  });

  it('imports none of a file with a refused row, unless asked for the valid rows', async () => {
    const file = gbk(['单据编号,物料编码,数量', 'MO-V1,bracket-b12,10', 'MO-V2,bracket-b12,-1']);
    const all = await importCsv('mapping=kingdee', file);
    expect(all.body).toMatchObject({ committed: false, counts: { create: 1, refuse: 1 } });
    expect((await call('GET', '/api/work-orders/MO-V1')).status).toBe(404);
    const valid = await importCsv('mapping=kingdee&validRows=true', file);
    expect(valid.body).toMatchObject({ committed: true, counts: { create: 1, refuse: 1 } });
    expect((await call('GET', '/api/work-orders/MO-V1')).status).toBe(200);
  });

  it('reports finished orders and leaves them as they are', async () => {
    const header = '单据编号,物料编码,数量';
    await importCsv('mapping=kingdee', gbk([header, 'MO-F1,bracket-b12,10']));
    await ingest.pool.query(
      "UPDATE work_order_operations SET status = 'done', good = 10 WHERE work_order_id = 'MO-F1'",
    );
    const again = await importCsv('mapping=kingdee', gbk([header, 'MO-F1,bracket-b12,50']));
    expect(again.body).toMatchObject({
      committed: true,
      counts: { finished: 1 },
      rows: [{ action: 'finished' }],
    });
    expect((await call('GET', '/api/work-orders/MO-F1')).body.quantity).toBe(10);
  });

  it('saves mappings by name, imports through them, and keeps the built-in ones', async () => {
    const mapping = {
      fields: { id: ['Auftrag'], product: ['Artikel'], quantity: ['Menge'], dueAt: ['Termin'] },
      dateFormats: ['D.M.YYYY'],
    };
    expect(
      (await call('PUT', '/api/import-mappings/sage', JSON.stringify(mapping), 'application/json'))
        .status,
    ).toBe(200);
    const list = await call('GET', '/api/import-mappings');
    expect(list.body.map((m: { name: string }) => m.name)).toEqual([
      'kingdee',
      'yonyou',
      'takt',
      'sage',
    ]);
    const csv = Buffer.from(
      'Auftrag,Artikel,Menge,Termin,Notiz\nMO-S1,bracket-b12,7,8.12.2026,x\n',
    );
    const answer = await importCsv('mapping=sage&dryRun=true', csv);
    expect(answer.body).toMatchObject({ encoding: 'utf-8', counts: { create: 1 } });
    expect(
      (
        await call(
          'PUT',
          '/api/import-mappings/kingdee',
          JSON.stringify(mapping),
          'application/json',
        )
      ).status,
    ).toBe(409);
    expect((await call('DELETE', '/api/import-mappings/sage')).status).toBe(204);
    expect((await call('DELETE', '/api/import-mappings/sage')).status).toBe(404);
  });
});
