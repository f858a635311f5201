import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics, type ShiftReport } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';

/**
 * GET /api/oee/shift-report (issue 16): a plant of two machines on two lines over two shifts,
 * through the real pipeline; the plant's figures are the machines' summed, then divided.
 */
const PLANT = `
site: { id: site-r, name: Report plant, timeZone: UTC }
lines:
  - id: line-a
    name: Line A
    machines: [{ id: m-a, name: A, product: part }]
  - id: line-b
    name: Line B
    machines: [{ id: m-b, name: B, product: part-slow }]
products:
  - { id: part, name: Part, idealCycleMs: 1000 }
  - { id: part-slow, name: Slow part, idealCycleMs: 3000 }
shifts:
  - { id: early, name: Early, start: '06:00', end: '14:00', breaks: [{ start: '10:00', end: '11:00' }] }
  - { id: late, name: Late, start: '14:00', end: '22:00' }
`;
const log = pino({ level: 'silent' });
const day = Date.parse('2026-11-20T00:00:00Z');
const at = (hhmm: string) => day + (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))) * 60_000;
let broker: RunningBroker;
let ingest: RunningIngest;
let gw: MqttClient;
let seq = 1;
let auth: { authorization: string };

async function send(machine: string, kind: 'state' | 'count', ts: number, body: object) {
  const payload = encodePayload(kind, { v: 1, seq: seq++, ts, ...body } as never);
  await gw.publishAsync(topics.machine('site-r', 'gw-r', machine, kind), payload, { qos: 1 });
}
async function hold(machine: string, fromTs: number, toTs: number, body: object) {
  for (let ts = fromTs; ts < toTs; ts += 60_000) await send(machine, 'state', ts, body);
}
async function get(path: string) {
  const response = await fetch(`${ingest.url}${path}`, { headers: auth });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'takt-shift-report-'));
  await writeFile(join(dir, 'plant.yaml'), PLANT);
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_shift_report'),
    mqtt: { url, clientId: 'ingest-shift-report' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(dir, 'plant.yaml'),
    batch: { maxItems: 1000, maxDelayMs: 20 },
    log,
  });
  await ingest.subscribed;
  auth = await signedIn(ingest.pool, 'manager');
  gw = await mqtt.connectAsync(url);
  const running = { state: 'running', code: 1 };
  // m-a: early shift down 08:00-08:47, late shift running to 18:00 then idle.
  await hold('m-a', at('06:00'), at('08:00'), running);
  await send('m-a', 'count', at('06:00'), { good: 0, reject: 0 });
  await hold('m-a', at('08:00'), at('08:47'), { state: 'down', code: 3, reason: 'technical' });
  await hold('m-a', at('08:47'), at('18:00'), running);
  await send('m-a', 'count', at('13:59'), { good: 18_848, reject: 423 });
  await hold('m-a', at('18:00'), at('22:00'), { state: 'idle', code: 2 });
  await send('m-a', 'count', at('17:00'), { good: 18_848 + 9000, reject: 423 + 100 });
  // m-b: running all day on a slower part.
  await hold('m-b', at('06:00'), at('22:00'), running);
  await send('m-b', 'count', at('06:00'), { good: 0, reject: 0 });
  await send('m-b', 'count', at('13:00'), { good: 6000, reject: 50 });
  await send('m-b', 'count', at('21:00'), { good: 14_000, reject: 80 });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { rows } = await ingest.pool.query<{ n: string }>('SELECT count(*) AS n FROM counts');
    if (rows[0]!.n === '6') break;
    if (Date.now() > deadline) throw new Error('counts did not arrive');
    await new Promise((r) => setTimeout(r, 50));
  }
}, 60_000);
afterAll(async () => {
  await gw?.endAsync();
  await ingest?.stop();
  await broker?.stop();
});

const window = 'from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z';
type Figures = {
  plannedBusyMs: number;
  runMs: number;
  totalCount: number;
  goodCount: number;
  availability: number | null;
  performance: number | null;
  quality: number | null;
  oee: number | null;
};

/** Machines as one from their own figures: ideal times recovered, summed, then divided. */
function summed(parts: readonly Figures[]) {
  const sum = (f: (p: Figures) => number) => parts.reduce((s, p) => s + f(p), 0);
  const planned = sum((p) => p.plannedBusyMs);
  const run = sum((p) => p.runMs);
  const idealTotal = sum((p) => (p.performance ?? 0) * p.runMs);
  const idealGood = sum((p) => (p.quality ?? 0) * (p.performance ?? 0) * p.runMs);
  return {
    plannedBusyMs: planned,
    runMs: run,
    totalCount: sum((p) => p.totalCount),
    goodCount: sum((p) => p.goodCount),
    availability: run / planned,
    performance: idealTotal / run,
    quality: idealGood / idealTotal,
    oee: idealGood / planned,
  };
}

function expectFigures(actual: Figures, expected: ReturnType<typeof summed>) {
  expect(actual).toMatchObject({
    plannedBusyMs: expected.plannedBusyMs,
    runMs: expected.runMs,
    totalCount: expected.totalCount,
    goodCount: expected.goodCount,
  });
  for (const k of ['availability', 'performance', 'quality', 'oee'] as const)
    expect(actual[k]).toBeCloseTo(expected[k], 9);
}

describe('the shift report route', () => {
  it('gives the plant the sum of its machines, per shift and in total', async () => {
    const { status, body } = await get(`/api/oee/shift-report?site=site-r&${window}`);
    expect(status).toBe(200);
    const report = body as unknown as ShiftReport;
    expect(report).toMatchObject({ site: 'site-r', period: 'shift', machines: ['m-a', 'm-b'] });
    expect(report.shifts.map((s) => s.shift)).toEqual(['early', 'late']);
    expect(report.rows).toHaveLength(4);

    const perMachine: (Figures & { shift: string })[] = [];
    for (const m of ['m-a', 'm-b']) {
      const answer = await get(`/api/oee/shifts?machine=${m}&${window}`);
      perMachine.push(...(answer.body.shifts as (Figures & { shift: string })[]));
    }
    for (const shift of report.shifts)
      expectFigures(shift, summed(perMachine.filter((r) => r.shift === shift.shift)));
    expectFigures(report.total, summed(perMachine));
    expectFigures(report.days[0]!, summed(perMachine));
    // The textbook early shift of m-a, as /api/oee gives it.
    const early = report.rows.find((r) => r.machine === 'm-a' && r.shift === 'early')!;
    expect(early).toMatchObject({ plannedBusyMs: 420 * 60_000, runMs: 373 * 60_000 });
    expect(early.oee).toBeCloseTo(0.7479, 4);
    // Slower and faster parts weigh by their ideal times, not by pieces.
    expect(report.total.quality).not.toBeCloseTo(report.total.yield!, 4);
  });

  it('gives a line its own machines', async () => {
    const { body } = await get(`/api/oee/shift-report?line=line-b&${window}`);
    expect(body).toMatchObject({ line: 'line-b', machines: ['m-b'] });
    const one = await get(`/api/oee/shifts?machine=m-b&${window}`);
    expectFigures((body as unknown as ShiftReport).total, summed(one.body.shifts as Figures[]));
  });

  it('answers a bad query with 400 and an unknown scope with 404', async () => {
    expect(await get(`/api/oee/shift-report?${window}`)).toMatchObject({
      status: 400,
      body: { message: 'give exactly one of site, line or machine' },
    });
    expect((await get(`/api/oee/shift-report?site=site-r&line=line-a&${window}`)).status).toBe(400);
    expect(
      (
        await get(
          '/api/oee/shift-report?site=site-r&from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z',
        )
      ).status,
    ).toBe(400);
    expect(await get(`/api/oee/shift-report?line=nope&${window}`)).toMatchObject({
      status: 404,
      body: { code: 'INGEST_ERR_NOT_FOUND' },
    });
  });
});
