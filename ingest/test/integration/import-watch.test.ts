import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import iconv from 'iconv-lite';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { createTestDatabase } from '../helpers/test-db';

/**
 * The watched import folder (docs/decisions.md "Issue 20 — ERP imports and the watched
 * folder"): files dropped there are imported once, then moved to done/ or failed/.
 */
let broker: RunningBroker;
let ingest: RunningIngest;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'takt-watch-'));
  const log = pino({ level: 'silent' });
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_import_watch'),
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: `ingest-watch-${Math.random()}` },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../fixtures/import-plant.yaml'),
    importWatch: { dir, mapping: 'kingdee', pollMs: 50 },
    log,
  });
});
afterAll(async () => {
  await ingest?.stop();
  await broker?.stop();
});

/** Waits until `path` exists (the watcher moved a file there). */
async function appears(path: string): Promise<void> {
  while (!existsSync(path)) await new Promise((r) => setTimeout(r, 25));
}

/** Drops a file the way a share copy ends: written beside, then renamed into the folder. */
async function drop(name: string, data: Buffer): Promise<void> {
  const staging = await mkdtemp(join(tmpdir(), 'takt-drop-'));
  await writeFile(join(staging, name), data);
  await rename(join(staging, name), join(dir, name));
}

const orderIds = async () =>
  (await ingest.pool.query<{ id: string }>('SELECT id FROM work_orders ORDER BY id')).rows.map(
    (r) => r.id,
  );

const kingdee = (rows: string[]) =>
  iconv.encode(['单据编号,物料编码,数量,计划完工时间,客户', ...rows].join('\r\n'), 'gbk');

describe('watched import folder (issue 20)', () => {
  it('imports a new file and moves it to done/', async () => {
    await drop('orders-1.csv', kingdee(['MO-W1,bracket-b12,40,2026-12-08,华东机械']));
    await appears(join(dir, 'done', 'orders-1.csv'));
    expect(await orderIds()).toEqual(['MO-W1']);
    const history = await ingest.pool.query<{ detail: unknown }>(
      "SELECT detail FROM work_order_events WHERE work_order_id = 'MO-W1' AND kind = 'created'",
    );
    expect(history.rows[0]!.detail).toEqual({ by: 'watched-folder', source: 'watched-folder' });
  });

  it('moves a file with a refused row to failed/ with a report, importing none of it', async () => {
    await drop('orders-2.csv', kingdee(['MO-W2,bracket-b12,5,', 'MO-W3,bracket-b12,lots,']));
    await appears(join(dir, 'failed', 'orders-2.csv.errors.json'));
    const report = JSON.parse(
      await readFile(join(dir, 'failed', 'orders-2.csv.errors.json'), 'utf8'),
    );
    expect(report).toMatchObject({
      file: 'orders-2.csv',
      counts: { create: 1, refuse: 1 },
      rows: [{ row: 3, id: 'MO-W3', errors: [{ column: '数量', code: 'import.cell.quantity' }] }],
    });
    expect(await readdir(join(dir, 'failed'))).toContain('orders-2.csv');
    expect(await orderIds()).toEqual(['MO-W1']);
  });

  it('never imports the same file twice, whatever its name', async () => {
    await drop('orders-1-copy.csv', kingdee(['MO-W1,bracket-b12,40,2026-12-08,华东机械']));
    await appears(join(dir, 'failed', 'orders-1-copy.csv.errors.json'));
    const report = JSON.parse(
      await readFile(join(dir, 'failed', 'orders-1-copy.csv.errors.json'), 'utf8'),
    );
    expect(report.error).toMatch(/^already imported: the same content as orders-1\.csv/);
    const changed = await ingest.pool.query(
      "SELECT 1 FROM work_order_events WHERE work_order_id = 'MO-W1' AND kind = 'changed'",
    );
    expect(changed.rowCount).toBe(0);
  });
});
