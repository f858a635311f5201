import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { customerToken, kioskToken, signedIn } from '../helpers/auth';
import { readPdf } from '../helpers/pdf-read';
import { createTestDatabase } from '../helpers/test-db';

const log = pino({ level: 'silent' });
let broker: RunningBroker;
let ingest: RunningIngest;

/** The demo plant (Asia/Shanghai, stop and reject reasons) and one order of three operations. */
beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_print'),
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'ingest-print' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../../plant/demo-plant.yaml'),
    log,
  });
  const created = await fetch(`${ingest.url}/api/work-orders`, {
    method: 'POST',
    headers: { ...(await signedIn(ingest.pool, 'manager')), 'content-type': 'application/json' },
    body: JSON.stringify({
      id: 'WO-24117',
      product: 'bracket-b12',
      quantity: 500,
      customer: '上海汽车零部件',
      priority: 3,
      dueAt: '2026-12-31T15:59:00Z', // 23:59 in Shanghai
      operations: [
        { id: 'OP10', machine: 'press-01' },
        { id: 'OP20', machine: 'cnc-01' },
        { id: 'OP30', machine: 'cnc-02' },
      ],
    }),
  });
  expect(created.status).toBe(201);
});
afterAll(async () => {
  await ingest?.stop();
  await broker?.stop();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${ingest.url}${path}`, { headers });

describe('GET /api/work-orders/:id/traveller.pdf', () => {
  it('is a PDF whose every barcode reads back as the order and its WO|OP codes', async () => {
    const response = await get(
      '/api/work-orders/WO-24117/traveller.pdf',
      await signedIn(ingest.pool, 'operator'),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const pdf = await readPdf(new Uint8Array(await response.arrayBuffer()));
    expect(pdf.barcodes).toEqual(['WO-24117', 'WO-24117|OP10', 'WO-24117|OP20', 'WO-24117|OP30']);
    const text = pdf.text.join(' ');
    for (const shown of ['WO-24117', '上海汽车零部件', 'Bracket B12', 'Press 01', 'CNC 02', '500'])
      expect(text).toContain(shown);
    expect(text).toContain('2026-12-31 23:59 (Asia/Shanghai)');
  });

  it('answers 404 for an unknown order', async () => {
    const response = await get(
      '/api/work-orders/WO-NOPE/traveller.pdf',
      await signedIn(ingest.pool, 'manager'),
    );
    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toBe(
      'work order "WO-NOPE" not found',
    );
  });
});

describe('GET /api/stations/:id/cards.pdf', () => {
  it("is a PDF whose every barcode reads back as one of the station's codes", async () => {
    const response = await get(
      '/api/stations/press-01/cards.pdf',
      await signedIn(ingest.pool, 'maintenance'),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const pdf = await readPdf(new Uint8Array(await response.arrayBuffer()));
    expect(pdf.barcodes).toEqual([
      'ACT:PAUSE',
      'ACT:COMPLETE',
      'ACT:LOGOUT',
      'ACT:CHANGEOVER',
      'ACT:CLEANING',
      'ACT:MAINTENANCE',
      'ACT:PRODUCTION',
      'R10',
      'R11',
      'R12',
      'R20',
      'REJ:1:burr',
      'REJ:1:dimension',
      'ANDON:maintenance',
      'ANDON:material',
      'ANDON:quality',
      'ANDON:supervisor',
    ]);
    const text = pdf.text.join(' ');
    expect(text).toContain('Press 01');
    expect(text).toContain('暂停');
    expect(text).toContain('Waiting for material');
  });

  it('answers 404 for a station the plant does not have', async () => {
    const response = await get(
      '/api/stations/nowhere/cards.pdf',
      await signedIn(ingest.pool, 'admin'),
    );
    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toBe(
      'station "nowhere" not found',
    );
  });
});

describe('who may print', () => {
  it('refuses a kiosk or customer token and nobody signed in; a staff user prints', async () => {
    const kiosk = { authorization: `Bearer ${await kioskToken(ingest.pool)}` };
    const customer = {
      authorization: `Bearer ${await customerToken(ingest.pool, '上海汽车零部件')}`,
    };
    for (const path of [
      '/api/work-orders/WO-24117/traveller.pdf',
      '/api/stations/press-01/cards.pdf',
    ]) {
      expect((await get(path)).status, path).toBe(401);
      expect((await get(path, kiosk)).status, path).toBe(403);
      expect((await get(path, customer)).status, path).toBe(403);
      expect((await get(path, await signedIn(ingest.pool, 'maintenance'))).status, path).toBe(200);
    }
  });
});
