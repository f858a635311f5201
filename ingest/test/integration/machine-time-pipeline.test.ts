import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics, type PayloadByKind } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';

/*
 * Time accounting through the real pipeline (issue 15, docs/production-model.md): states
 * held as long as their gateway's declared heartbeat, stops across a break measured by
 * their planned part, and time before a machine's first data not monitored.
 */
const log = pino({ level: 'silent' });
const MIN = 60_000;
const at = (hhmm: string) =>
  Date.UTC(2026, 10, 20) + (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))) * MIN;
const SHIFT = 'from=2026-11-20T06:00:00Z&to=2026-11-20T14:00:00Z';
let broker: RunningBroker;
let ingest: RunningIngest;
let client: MqttClient;
let seq = 1;
let auth: { authorization: string };

type Kind = 'state' | 'count';
async function send(gateway: string, machine: string, kind: Kind, ts: number, body: object) {
  const payload = encodePayload(kind, { v: 1, seq: seq++, ts, ...body } as PayloadByKind[Kind]);
  const site = machine === 'fresh-1' ? 'fresh-site' : 'time-site';
  await client.publishAsync(topics.machine(site, gateway, machine, kind), payload, { qos: 1 });
}

/** A state re-sent every `everyMs` over [fromTs, toTs), as an edge's heartbeat does. */
async function hold(
  gateway: string,
  machine: string,
  fromTs: number,
  toTs: number,
  body: object,
  everyMs = MIN,
) {
  for (let ts = fromTs; ts < toTs; ts += everyMs) await send(gateway, machine, 'state', ts, body);
}

async function until(what: string, sql: string, expected: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows } = await ingest.pool.query<{ n: string }>(sql);
    if (String(rows[0]?.n) === expected) return;
    if (Date.now() > deadline) throw new Error(`${what}: ${rows[0]?.n}, expected ${expected}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function api(path: string) {
  const response = await fetch(`${ingest.url}${path}`, { headers: auth });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers checked field by field
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const running = { state: 'running', code: 1 };
const idle = { state: 'idle', code: 2 };

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_machine_time'),
    mqtt: { url, clientId: 'ingest-machine-time' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../fixtures/machine-time-plant.yaml'),
    batch: { maxItems: 1000, maxDelayMs: 20 },
    log,
  });
  await ingest.subscribed;
  auth = await signedIn(ingest.pool, 'manager');
  client = await mqtt.connectAsync(url);

  // gw-slow declares a 10 min heartbeat and sends slow-1's state on change and every 10 min:
  // running 06:00-08:00, idle 08:00-08:30, running 08:30-14:00; 21,000 made, all good.
  const birth = encodePayload('status', {
    v: 1,
    ts: at('05:00'),
    status: 'online',
    heartbeatMs: 10 * MIN,
  });
  await client.publishAsync(topics.status('time-site', 'gw-slow'), birth, { qos: 1, retain: true });
  await until(
    'heartbeat stored',
    "SELECT heartbeat_ms AS n FROM gateways WHERE id = 'gw-slow'",
    '600000',
  );
  await hold('gw-slow', 'slow-1', at('06:00'), at('08:00'), running, 10 * MIN);
  await hold('gw-slow', 'slow-1', at('08:00'), at('08:30'), idle, 10 * MIN);
  await hold('gw-slow', 'slow-1', at('08:30'), at('14:00'), running, 10 * MIN);
  await send('gw-slow', 'slow-1', 'count', at('06:00'), { good: 0, reject: 0 });
  await send('gw-slow', 'slow-1', 'count', at('13:59'), { good: 21_000, reject: 0 });

  // break-1, minute heartbeats: idle 10:00-11:02, across the break until 11:00.
  await hold('gw-time', 'break-1', at('06:00'), at('10:00'), running);
  await hold('gw-time', 'break-1', at('10:00'), at('11:02'), idle);
  await hold('gw-time', 'break-1', at('11:02'), at('14:00'), running);

  // late-1 was installed at 09:00: its first data ever.
  await hold('gw-time', 'late-1', at('09:00'), at('14:00'), running);

  // fresh-1 (a site without a calendar: all its time is planned) first sends 5 min ago.
  const now = Date.now();
  await hold('gw-fresh', 'fresh-1', now - 5 * MIN, now, running);

  const states = 12 + 3 + 33 + (240 + 62 + 178) + 300 + 5;
  await until('states stored', 'SELECT count(*) AS n FROM machine_states', String(states));
  await until('counts stored', 'SELECT count(*) AS n FROM counts', '2');
});
afterAll(async () => {
  await client?.endAsync();
  await ingest?.stop();
  await broker?.stop();
});

describe('time accounting through the real pipeline', () => {
  it('holds states as long as the gateway declared: three 10 min heartbeats', async () => {
    const { body } = await api(`/api/oee?machine=slow-1&${SHIFT}`);
    expect(body).toMatchObject({
      plannedBusyMs: 420 * MIN,
      downMs: 30 * MIN,
      runMs: 390 * MIN,
      notMonitoredMs: 0,
      performanceAbove100: false,
    });
    expect(body.performance).toBeCloseTo(21_000 / (390 * 60), 6);
    const losses = Object.values(body.losses as Record<string, number>);
    expect(losses.reduce((s, v) => s + v, 0)).toBeCloseTo(420 * MIN, 3);
  });

  it("tells screens how long a machine's last message holds: three heartbeats, at least 60 s", async () => {
    const { status, body } = await api('/api/machines');
    expect(status).toBe(200);
    const staleAfter = new Map(
      (body as unknown as { id: string; staleAfterMs: number }[]).map((m) => [
        m.id,
        m.staleAfterMs,
      ]),
    );
    // gw-slow declared 10 min in its birth; gw-time and gw-fresh declared none.
    expect(staleAfter.get('slow-1')).toBe(30 * MIN);
    expect(staleAfter.get('break-1')).toBe(MIN);
    expect(staleAfter.get('fresh-1')).toBe(MIN);
  });

  it('measures a stop across the break by its planned part: a 2 min small stop', async () => {
    const { body } = await api(`/api/oee?machine=break-1&${SHIFT}`);
    expect(body).toMatchObject({ plannedBusyMs: 420 * MIN, downMs: 0, microstopMs: 2 * MIN });
    expect((await api(`/api/downtime?machine=break-1&${SHIFT}`)).body.reasons).toEqual([]);
  });

  it('leaves time before the first data out of planned busy time, as not monitored', async () => {
    const { body } = await api(`/api/oee?machine=late-1&${SHIFT}`);
    // 09:00-14:00 less the 10:00-11:00 break is planned; 06:00-09:00 is not monitored.
    expect(body).toMatchObject({
      plannedBusyMs: 240 * MIN,
      runMs: 240 * MIN,
      downMs: 0,
      notMonitoredMs: 180 * MIN,
    });
    expect(body.availability).toBe(1);
    const shifts = (await api(`/api/oee/shifts?machine=late-1&${SHIFT}`)).body.shifts;
    expect(shifts).toMatchObject([{ plannedBusyMs: 240 * MIN, notMonitoredMs: 180 * MIN }]);
    expect((await api(`/api/downtime?machine=late-1&${SHIFT}`)).body.reasons).toEqual([]);
    // The line adds its machines' not-monitored time like any other time.
    expect((await api(`/api/oee?line=time-line&${SHIFT}`)).body.notMonitoredMs).toBe(180 * MIN);
  });

  it('has no planned busy time in a window before the first data (issue 15, machine-checkable)', async () => {
    const before = 'from=2026-10-21T00:00:00Z&to=2026-11-12T00:00:00Z';
    const { body } = await api(`/api/oee?machine=late-1&${before}`);
    expect(body).toMatchObject({ plannedBusyMs: 0, runMs: 0, downMs: 0 });
    expect(body.notMonitoredMs).toBe(22 * 420 * MIN); // 22 shifts, one a day
  });

  it('moves the first data back when a gateway replays older data', async () => {
    const firstData = (id: string) =>
      `SELECT (extract(epoch FROM first_data_at) * 1000)::bigint AS n FROM machines WHERE id = '${id}'`;
    expect((await ingest.pool.query(firstData('late-1'))).rows[0].n).toBe(String(at('09:00')));
    await send('gw-time', 'replay-1', 'state', at('12:00'), running);
    await until('first data at 12:00', firstData('replay-1'), String(at('12:00')));
    await send('gw-time', 'replay-1', 'count', at('07:00'), { good: 5, reject: 0 });
    await until('first data back at 07:00', firstData('replay-1'), String(at('07:00')));
  });

  it('counts no more planned time in the last 15 minutes than since the first data', async () => {
    const now = Date.now();
    const window = `from=${new Date(now - 15 * MIN).toISOString()}&to=${new Date(now).toISOString()}`;
    const { body } = await api(`/api/oee?machine=fresh-1&${window}`);
    const { rows } = await ingest.pool.query<{ first: Date }>(
      "SELECT first_data_at AS first FROM machines WHERE id = 'fresh-1'",
    );
    expect(body.plannedBusyMs).toBeGreaterThan(0);
    expect(body.plannedBusyMs).toBeLessThanOrEqual(now - rows[0]!.first.getTime() + 60_000);
    expect(body.plannedBusyMs + body.notMonitoredMs).toBe(15 * MIN);
  });
});
