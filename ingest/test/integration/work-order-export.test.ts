import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import {
  encodePayload,
  ORDER_EXPORT_COLUMNS,
  topics,
  type OrderDetail,
  type PayloadByKind,
} from '@takt/protocol';
import ExcelJS from 'exceljs';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';

/*
 * GET /api/work-orders/export (docs/decisions.md "Issue 20 — the Import page, exports and
 * order status webhooks"): one row per finished operation with the figures the order view
 * shows, operator hours from the start/complete scans, formula-safe CSV and a readable xlsx.
 */
const log = pino({ level: 'silent' });
const MIN = 60_000;
const T = Date.now();
const FORMULA = '=HYPERLINK("http://x","y")';
let broker: RunningBroker;
let ingest: RunningIngest;
let gw: MqttClient;
let seq = 1;
let auth: { authorization: string };

type Kind = 'count' | 'scan';
async function send(machine: string, kind: Kind, ts: number, body: Record<string, unknown>) {
  const payload = encodePayload(kind, { v: 1, seq: seq++, ts, ...body } as PayloadByKind[Kind]);
  await gw.publishAsync(topics.machine('prod-site', 'gw-export', machine, kind), payload, {
    qos: 1,
  });
}
const scan = (
  machine: string,
  ts: number,
  order: string,
  op: string,
  action: string,
  operator: string,
) =>
  send(machine, 'scan', ts, {
    code: `${order}/${op}`,
    workOrder: order,
    operation: op,
    action,
    operator,
  });

async function until(what: string, sql: string, expected: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows } = await ingest.pool.query<{ n: string }>(sql);
    if (String(rows[0]!.n) === expected) return;
    if (Date.now() > deadline) throw new Error(`${what}: ${rows[0]!.n}, expected ${expected}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const get = (path: string, headers: Record<string, string> = auth) =>
  fetch(`${ingest.url}${path}`, { headers });

/** RFC 4180 as the one CSV writer writes it (quoted cells, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted || (c !== ',' && c !== '\n')) {
      cell += c;
    } else {
      row.push(cell.replace(/\r$/, ''));
      cell = '';
      if (c === '\n') {
        rows.push(row);
        row = [];
      }
    }
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_order_export'),
    mqtt: { url, clientId: 'ingest-order-export' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../fixtures/production-plant.yaml'),
    batch: { maxItems: 1000, maxDelayMs: 20 },
    log,
  });
  await ingest.subscribed;
  auth = await signedIn(ingest.pool, 'manager');
  gw = await mqtt.connectAsync(url);
  for (const [id, customer] of [
    ['WO-X', FORMULA],
    ['WO-OPEN', 'ACME'],
  ] as const) {
    const created = await fetch(`${ingest.url}/api/work-orders`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        id,
        product: 'part-a',
        quantity: 100,
        customer,
        operations: [
          { id: 'OP10', machine: 'cnt-1' },
          { id: 'OP20', machine: 'asm-1' },
        ],
      }),
    });
    expect(created.status).toBe(201);
  }
  // WO-X: OP10 on cnt-1 by B-1 for 60 min (60 good, 2 rejected), OP20 on asm-1 by "=B2" for 45 min.
  await scan('cnt-1', T - 180 * MIN, 'WO-X', 'OP10', 'start', 'B-1');
  await until('start', "SELECT count(*) AS n FROM work_order_events WHERE kind = 'scan'", '1');
  await send('cnt-1', 'count', T - 170 * MIN, { good: 0, reject: 0 });
  await send('cnt-1', 'count', T - 125 * MIN, { good: 60, reject: 2 });
  await until(
    'counts',
    "SELECT coalesce(sum(good), 0) AS n FROM work_order_events WHERE kind = 'count'",
    '60',
  );
  await scan('cnt-1', T - 120 * MIN, 'WO-X', 'OP10', 'complete', 'B-1');
  await scan('asm-1', T - 110 * MIN, 'WO-X', 'OP20', 'start', '=B2');
  await scan('asm-1', T - 65 * MIN, 'WO-X', 'OP20', 'complete', '=B2');
  // WO-OPEN: started, never finished: not in the export.
  await scan('cnt-1', T - 60 * MIN, 'WO-OPEN', 'OP10', 'start', 'B-1');
  await until('scans', "SELECT count(*) AS n FROM work_order_events WHERE kind = 'scan'", '5');
}, 120_000);

afterAll(async () => {
  await gw?.endAsync();
  await ingest?.stop();
  await broker?.stop();
});

describe('GET /api/work-orders/export', () => {
  it("writes one formula-safe CSV row per finished operation, with the order view's figures and operator hours", async () => {
    const response = await get('/api/work-orders/export');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...rows] = parseCsv(await response.text());
    expect(header).toEqual([...ORDER_EXPORT_COLUMNS]);
    const view = (await (await get('/api/work-orders/WO-X')).json()) as OrderDetail;
    const col = (name: (typeof ORDER_EXPORT_COLUMNS)[number]) => ORDER_EXPORT_COLUMNS.indexOf(name);
    expect(rows.map((r) => [r[col('order')], r[col('operation')]])).toEqual([
      ['WO-X', 'OP10'],
      ['WO-X', 'OP20'],
    ]);
    for (const [i, op] of view.operations.entries()) {
      const r = rows[i]!;
      expect(r[col('finished_at')]).toBe(op.completedAt);
      expect(Number(r[col('good')])).toBe(op.good);
      expect(Number(r[col('rejected')])).toBe(op.rejected);
      expect(r[col('machine')]).toBe(op.machine);
    }
    expect(rows[0]![col('good')]).toBe('60');
    expect(rows[0]![col('rejected')]).toBe('2');
    expect(rows.map((r) => Number(r[col('operator_hours')]))).toEqual([1, 0.75]);
    expect(rows[0]![col('operators')]).toBe('B-1 1');
    // Text a person wrote comes back defused; nothing starts a formula.
    expect(rows[0]![col('customer')]).toBe(`'${FORMULA}`);
    expect(rows[1]![col('operators')]).toBe("'=B2 0.75");
    expect(rows[0]![col('order_status')]).toBe('completed');
  });

  it('filters by status and by the finish window', async () => {
    const done = parseCsv(await (await get('/api/work-orders/export?status=released')).text());
    expect(done).toHaveLength(1); // the header only
    const early = new Date(T - 150 * MIN).toISOString();
    const between = new Date(T - 100 * MIN).toISOString();
    const one = parseCsv(
      await (await get(`/api/work-orders/export?from=${early}&to=${between}`)).text(),
    );
    expect(one.slice(1).map((r) => r[5])).toEqual(['OP10']);
    const bad = await get(`/api/work-orders/export?from=${between}&to=${early}`);
    expect(bad.status).toBe(400);
    expect((await get('/api/work-orders/export?format=pdf')).status).toBe(400);
  });

  it('gives the same rows as an xlsx workbook Excel can read', async () => {
    const response = await get('/api/work-orders/export?format=xlsx&status=completed');
    expect(response.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await response.arrayBuffer());
    const sheet = book.getWorksheet('operations')!;
    const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
    expect(values(1)).toEqual([...ORDER_EXPORT_COLUMNS]);
    expect(sheet.rowCount).toBe(3);
    expect(values(2).slice(0, 6)).toEqual(['WO-X', 'part-a', FORMULA, 100, 'completed', 'OP10']);
    expect(values(2)[9]).toBeInstanceOf(Date);
    expect(values(2).slice(10, 14)).toEqual([60, 2, 1, 'B-1 1']);
  });

  it('is for managers and admins only', async () => {
    const operator = await signedIn(ingest.pool, 'operator');
    expect((await get('/api/work-orders/export', operator)).status).toBe(403);
  });
});
