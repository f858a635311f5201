import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';

const log = pino({ level: 'silent' });
const day = Date.parse('2026-11-20T00:00:00Z');
const at = (hhmm: string) => day + (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))) * 60_000;
let broker: RunningBroker;
let ingest: RunningIngest;
let gw: MqttClient;
let seq = 1;
let auth: { authorization: string };

async function send(
  machine: string,
  kind: 'state' | 'count',
  ts: number,
  body: Record<string, unknown>,
) {
  const payload = encodePayload(kind, { v: 1, seq: seq++, ts, ...body } as never);
  await gw.publishAsync(topics.machine('golden-site', 'gw-golden', machine, kind), payload, {
    qos: 1,
  });
}

/** A state held from `fromTs` to `toTs`, re-sent every 60 s as the edge's heartbeat does. */
async function hold(machine: string, fromTs: number, toTs: number, body: Record<string, unknown>) {
  for (let ts = fromTs; ts < toTs; ts += 60_000) await send(machine, 'state', ts, body);
}

async function api(path: string) {
  const response = await fetch(`${ingest.url}${path}`, { headers: auth });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_oee'),
    mqtt: { url, clientId: 'ingest-oee' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../fixtures/golden-plant.yaml'),
    batch: { maxItems: 1000, maxDelayMs: 20 },
    log,
  });
  await ingest.subscribed;
  auth = await signedIn(ingest.pool, 'manager');
  gw = await mqtt.connectAsync(url);
  // golden-1, the textbook shift: running from 06:00, down 08:00-08:47, 19,271 made, 423 rejects.
  const running = { state: 'running', code: 1 };
  await hold('golden-1', at('06:00'), at('08:00'), running);
  await send('golden-1', 'count', at('06:00'), { good: 5000, reject: 100 }); // baseline totals
  await hold('golden-1', at('08:00'), at('08:47'), { state: 'down', code: 3, reason: 'technical' });
  await hold('golden-1', at('08:47'), at('14:00'), running);
  await send('golden-1', 'count', at('13:59'), { good: 5000 + 18_848, reject: 100 + 423 });
  // golden-2: the same shift, never stopped, 25,200 made, all good (P = 25,200 s / 420 min = 100 %).
  await hold('golden-2', at('05:00'), at('14:00'), running);
  await send('golden-2', 'count', at('05:00'), { good: 0, reject: 0 });
  await send('golden-2', 'count', at('13:59'), { good: 25_200, reject: 0 });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows } = await ingest.pool.query<{ n: string }>('SELECT count(*) AS n FROM counts');
    if (rows[0]!.n === '4') break;
    if (Date.now() > deadline) throw new Error('counts did not arrive');
    await new Promise((r) => setTimeout(r, 50));
  }
});
afterAll(async () => {
  await gw?.endAsync();
  await ingest?.stop();
  await broker?.stop();
});

const window = `from=2026-11-20T06:00:00Z&to=2026-11-20T14:00:00Z`;

describe('OEE through the real pipeline (MQTT -> ingest -> PostgreSQL -> API)', () => {
  it('gives the textbook figures for the textbook shift', async () => {
    const { status, body } = await api(`/api/oee?machine=golden-1&${window}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      machine: 'golden-1',
      plannedBusyMs: 420 * 60_000,
      runMs: 373 * 60_000,
      downMs: 47 * 60_000,
      totalCount: 19_271,
      goodCount: 18_848,
    });
    expect(body.availability).toBeCloseTo(0.8881, 4);
    expect(body.performance).toBeCloseTo(0.8611, 4);
    expect(body.quality).toBeCloseTo(0.978, 4);
    expect(body.oee).toBeCloseTo(0.7479, 4);
    expect(body.teep).toBeCloseTo(0.7479 * (420 / 480), 4);
  });

  it('adds the line up from times and counts, not from the machines percentages', async () => {
    const { body } = await api(`/api/oee?line=golden-line&${window}`);
    expect(body).toMatchObject({
      line: 'golden-line',
      plannedBusyMs: 840 * 60_000,
      runMs: (373 + 420) * 60_000,
      totalCount: 19_271 + 25_200,
    });
    expect(body.oee).toBeCloseTo((18_848 + 25_200) / (840 * 60), 6);
  });

  it('answers bad requests with a 4xx and the reason', async () => {
    expect(await api(`/api/oee?${window}`)).toMatchObject({
      status: 400,
      body: { message: 'give exactly one of machine or line' },
    });
    expect(
      await api('/api/oee?machine=golden-1&from=2026-11-20T14:00:00Z&to=2026-11-20T06:00:00Z'),
    ).toMatchObject({ status: 400, body: { message: 'to: to must be after from' } });
    expect(
      (await api('/api/oee?machine=golden-1&from=yesterday&to=2026-11-20T06:00:00Z')).status,
    ).toBe(400);
    expect(await api(`/api/oee?machine=nope&${window}`)).toMatchObject({
      status: 404,
      body: { code: 'INGEST_ERR_NOT_FOUND' },
    });
  });

  it('gives the downtime Pareto and the output per hour from the same data', async () => {
    const downtime = await api(`/api/downtime?machine=golden-1&${window}`);
    expect(downtime.body.reasons).toEqual([
      { reason: 'technical', state: 'down', durationMs: 47 * 60_000, stops: 1 },
    ]);
    const output = await api(`/api/output?machine=golden-1&${window}`);
    const hours = output.body.hours as { hourStart: string; actual: number; target: number }[];
    expect(hours).toHaveLength(8);
    expect(hours[0]).toEqual({ hourStart: '2026-11-20T06:00:00.000Z', actual: 0, target: 3600 });
    expect(hours[4]).toMatchObject({ hourStart: '2026-11-20T10:00:00.000Z', target: 0 }); // the break
    expect(hours[7]).toEqual({
      hourStart: '2026-11-20T13:00:00.000Z',
      actual: 18_848,
      target: 3600,
    }); // counted at 13:59
    // A line in one request: each machine's hours as asked one by one, and their sum.
    const line = await api(`/api/output?line=golden-line&${window}`);
    expect(line.status).toBe(200);
    const other = (await api(`/api/output?machine=golden-2&${window}`)).body.hours as typeof hours;
    expect(line.body.machines).toEqual([
      { machine: 'golden-1', hours },
      { machine: 'golden-2', hours: other },
    ]);
    expect(line.body.hours).toEqual(
      hours.map((h, i) => ({
        hourStart: h.hourStart,
        actual: h.actual + other[i]!.actual,
        target: h.target + other[i]!.target,
      })),
    );
    expect((line.body.hours as typeof hours)[7]!.actual).toBe(18_848 + 25_200);
  });
});
