import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { parseCsv } from '../../src/work-orders/csv';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';

/*
 * Every CSV export through one writer that defuses formulas (docs/decisions.md "Issue 18 —
 * imports off the event loop, one CSV writer, errors without internals"): text a gateway or
 * a person wrote comes back as text a spreadsheet will not run; numbers stay numbers.
 */
const FORMULA = '=HYPERLINK("http://x","y")';
const T0 = Date.now() - 60_000;
let broker: RunningBroker;
let ingest: RunningIngest;
let gw: MqttClient;
let auth: { authorization: string };

beforeAll(async () => {
  const log = pino({ level: 'silent' });
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_csv_exports'),
    mqtt: { url, clientId: 'ingest-csv-exports' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../fixtures/golden-plant.yaml'),
    batch: { maxItems: 100, maxDelayMs: 20 },
    alerts: { tickMs: 100 },
    log,
  });
  await ingest.subscribed;
  auth = await signedIn(ingest.pool, 'admin');
  gw = await mqtt.connectAsync(url);
});
afterAll(async () => {
  await gw?.endAsync();
  await ingest?.stop();
  await broker?.stop();
});

async function api(path: string, init: RequestInit = {}) {
  const headers = { ...auth, 'content-type': 'application/json', ...init.headers };
  return fetch(`${ingest.url}${path}`, { ...init, headers });
}

async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The CSV's cells; none may start a formula unless it is a number. */
function cellsOf(csv: string): string[][] {
  const rows = parseCsv(csv).filter((r) => r.join('') !== '');
  for (const cell of rows.flat())
    if (/^[=+\-@\t\r]/.test(cell)) expect(Number.isFinite(Number(cell)), cell).toBe(true);
  return rows;
}

describe('CSV exports (issue 18)', () => {
  it('defuses a gateway string and an alert comment in every export; numbers stay numbers', async () => {
    const rules = await api('/api/alert-rules', {
      method: 'PUT',
      body: JSON.stringify({
        rules: [{ id: 'cold', kind: 'threshold', machines: ['golden-1'], tag: 'temp', below: 0 }],
      }),
    });
    expect(rules.status).toBe(200);
    const readings = [
      { tag: 'temp', ts: T0, value: -3.5, quality: 'good' },
      { tag: 'note', ts: T0, value: FORMULA, quality: 'good' },
    ];
    await gw.publishAsync(
      topics.machine('golden-site', 'gw-1', 'golden-1', 'metrics'),
      encodePayload('metrics', { v: 1, seq: 1, ts: T0, readings } as never),
      { qos: 1 },
    );

    const window = `from=${new Date(T0 - 1000).toISOString()}&to=${new Date(T0 + 1000).toISOString()}`;
    const query = `machine=golden-1&tag=temp,note&bucket=raw&${window}`;
    await until('the readings in the history', async () => {
      const answer = (await (await api(`/api/history?${query}`)).json()) as {
        series?: { points: unknown[] }[];
      };
      return answer.series?.every((s) => s.points.length === 1) ? true : undefined;
    });
    const history = await (await api(`/api/history.csv?${query}`)).text();
    const iso = new Date(T0).toISOString();
    expect(cellsOf(history)).toEqual([
      ['time', 'machine', 'tag', 'value', 'quality'],
      [iso, 'golden-1', 'temp', '-3.5', '0'],
      [iso, 'golden-1', 'note', `'${FORMULA}`, '0'],
    ]);
    expect(history).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);

    const alert = await until('the cold alert', async () => {
      const list = (await (await api('/api/alerts')).json()) as { id: number; rule: string }[];
      return list.find((a) => a.rule === 'cold');
    });
    const ack = await api(`/api/alerts/${alert.id}/ack`, {
      method: 'POST',
      body: JSON.stringify({ comment: FORMULA }),
    });
    expect(ack.status).toBe(200);
    const alerts = cellsOf(await (await api('/api/alerts/export')).text());
    const acknowledged = alerts.find((r) => r[1] === 'acknowledged');
    expect(acknowledged?.[8]).toBe(`'${FORMULA}`);
  });
});
