import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { startBroker, type RunningBroker } from '@takt/broker';
import { topics } from '@takt/protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';

/*
 * Issue 15 items 6 and 9 through the real broker and PostgreSQL, published with Debian's
 * mosquitto_pub (a client Takt did not write): far-future and far-past timestamps are
 * quarantined to dead letters, live values and gateway status follow the newest plausible
 * time, the clock flag shows on /api/health, and dead letters can be read over the API.
 */
const HOUR = 3_600_000;
const DAY = 86_400_000;
const FAR = Date.UTC(9999, 11, 31, 12);
const Y2036 = Date.UTC(2036, 0, 1);
const logLines: string[] = [];
let broker: RunningBroker;
let ingest: RunningIngest;
let clientNo = 0;

async function pub(topic: string, message: string, retain = false): Promise<void> {
  await promisify(execFile)('mosquitto_pub', [
    ...['-h', '127.0.0.1', '-p', String(broker.port), '-i', `mosquitto-q-${++clientNo}`],
    ...['-q', '1', '-t', topic, '-m', message, ...(retain ? ['-r'] : [])],
  ]);
}

const machineTopic = (gw: string, machine: string, kind: 'metrics' | 'state' | 'count' | 'scan') =>
  topics.machine('q-site', gw, machine, kind);

/** Waits for a gateway's message (its seq) to be committed: the marker after what is checked. */
async function committed(gw: string, seq: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { rows } = await ingest.pool.query(
      'SELECT 1 FROM received_messages WHERE gateway_id = $1 AND seq = $2',
      [gw, seq],
    );
    if (rows.length > 0) return;
    if (Date.now() > deadline) throw new Error(`seq ${seq} of ${gw} was never committed`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function api(path: string, role: 'admin' | 'maintenance' | 'operator' = 'admin') {
  const response = await fetch(`${ingest.url}${path}`, {
    headers: await signedIn(ingest.pool, role),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers checked field by field
  return { status: response.status, body: (await response.json()) as any };
}

beforeAll(async () => {
  const log = pino({ level: 'silent' });
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  // A birth retained two hours ago, before ingest subscribes: the broker replays it to ingest
  // with the retain flag, its ts old by design.
  const birth = { v: 1, ts: Date.now() - 2 * HOUR, status: 'online' };
  await pub(topics.status('q-site', 'gw-retained'), JSON.stringify(birth), true);
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_quarantine'),
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'ingest-quarantine' },
    http: { host: '127.0.0.1', port: 0 },
    log: pino({ level: 'info' }, sink),
  });
  await ingest.subscribed;
});
afterAll(async () => {
  await ingest?.stop();
  await broker?.stop();
});

describe('timestamps outside the horizon (issue 15 item 6)', () => {
  it('quarantines a state and a reading stamped 9999 or past retention; the machine shows the real ones', async () => {
    const now = Date.now();
    const reading = (ts: number, value: number) => ({ tag: 'temp', value, ts, quality: 'good' });
    const metrics = (seq: number, ...readings: object[]) =>
      JSON.stringify({ v: 1, seq, ts: now, readings });
    await pub(machineTopic('gw-q', 'm-q', 'metrics'), metrics(1, reading(FAR, 999)));
    await pub(
      machineTopic('gw-q', 'm-q', 'state'),
      JSON.stringify({ v: 1, seq: 2, ts: FAR, state: 'down' }),
    );
    await pub(
      machineTopic('gw-q', 'm-q', 'state'),
      JSON.stringify({ v: 1, seq: 3, ts: now, state: 'idle' }),
    );
    await pub(machineTopic('gw-q', 'm-q', 'metrics'), metrics(4, reading(now, 21.5)));
    const old = now - 40 * DAY; // past the raw retention of 30 days
    await pub(machineTopic('gw-q', 'm-q', 'metrics'), metrics(5, reading(old, 7)));
    await committed('gw-q', 5);

    const machines = await api('/api/machines');
    const machine = machines.body.find((m: { id: string }) => m.id === 'm-q');
    expect(machine.state).toBe('idle');
    expect(machine.values.temp.value).toBe(21.5);
    expect(Date.parse(machine.lastSeenAt)).toBeLessThan(now + HOUR);

    const dead = await ingest.pool.query<{ topic: string; reason: string; gateway_id: string }>(
      "SELECT topic, reason, gateway_id FROM dead_letters WHERE gateway_id = 'gw-q' ORDER BY id",
    );
    expect(dead.rows).toEqual([
      {
        topic: 'takt/v1/q-site/gw-q/m-q/metrics',
        gateway_id: 'gw-q',
        reason: expect.stringMatching(/timestamp 9999-12-31T12:00:00.000Z is .* ahead/),
      },
      {
        topic: 'takt/v1/q-site/gw-q/m-q/state',
        gateway_id: 'gw-q',
        reason: expect.stringMatching(/timestamp 9999-12-31T12:00:00.000Z is .* ahead/),
      },
      {
        topic: 'takt/v1/q-site/gw-q/m-q/metrics',
        gateway_id: 'gw-q',
        reason: expect.stringMatching(/40 days old, older than the raw retention of 30 days/),
      },
    ]);
    const oldDay = new Date(old).toISOString().slice(0, 10).replaceAll('-', '');
    const parts = await ingest.pool.query<{ name: string | null }>(
      `SELECT unnest(ARRAY[to_regclass('samples_p99991231')::text, to_regclass('samples_1m_p999912')::text,
                           to_regclass('samples_1h_p9999')::text, to_regclass($1)::text]) AS name`,
      [`samples_p${oldDay}`],
    );
    expect(parts.rows.map((r) => r.name)).toEqual([null, null, null, null]);
    const states = await ingest.pool.query(
      "SELECT state FROM machine_states WHERE machine_id = 'm-q'",
    );
    expect(states.rows).toEqual([{ state: 'idle' }]);
  });

  it('lets a real offline status through after one stamped 2036', async () => {
    const status = (ts: number, s: string) => JSON.stringify({ v: 1, ts, status: s });
    await pub(topics.status('q-site', 'gw-2036'), status(Y2036, 'online'), true);
    await pub(topics.status('q-site', 'gw-2036'), status(Date.now(), 'offline'), true);
    // A marker after both: once it is committed, so are they.
    await pub(
      machineTopic('gw-2036', 'm-2036', 'count'),
      JSON.stringify({ v: 1, seq: 1, ts: Date.now(), good: 1, reject: 0 }),
    );
    await committed('gw-2036', 1);
    const { rows } = await ingest.pool.query<{ status: string }>(
      "SELECT status FROM gateways WHERE id = 'gw-2036'",
    );
    expect(rows).toEqual([{ status: 'offline' }]);
    const dead = await ingest.pool.query<{ reason: string }>(
      "SELECT reason FROM dead_letters WHERE gateway_id = 'gw-2036'",
    );
    expect(dead.rows).toEqual([{ reason: expect.stringMatching(/^timestamp 2036-01-01/) }]);
  });

  it('flags the clock of a gateway whose readings of any kind are ahead, on /api/health', async () => {
    await pub(
      machineTopic('gw-ahead', 'station-1', 'scan'),
      JSON.stringify({ v: 1, seq: 1, ts: Date.now() + 2 * HOUR, code: 'WO-1' }),
    );
    await committed('gw-ahead', 1);
    const health = (await api('/api/health')).body as { gateways: Record<string, unknown>[] };
    const gw = health.gateways.find((g) => g.id === 'gw-ahead')!;
    expect(gw).toMatchObject({ clockSkewed: true, deadLetters24h: 1 });
    expect(Math.abs((gw.clockOffsetMs as number) - 2 * HOUR)).toBeLessThan(60_000);
    const line = logLines.find((l) => l.includes('gateway clock is off') && l.includes('gw-ahead'));
    expect(JSON.parse(line!)).toMatchObject({ gatewayId: 'gw-ahead', kind: 'scan' });
  });

  it('names gateways on /api/health only to an admin or maintenance user', async () => {
    await pub(
      machineTopic('gw-named', 'm-n', 'count'),
      JSON.stringify({ v: 1, seq: 1, ts: Date.now(), good: 1, reject: 0 }),
    );
    await committed('gw-named', 1);
    const anonymous = await fetch(`${ingest.url}/api/health`);
    const text = await anonymous.text();
    expect(anonymous.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ status: 'ok', deadLetters24h: expect.any(Number) });
    expect(JSON.parse(text)).not.toHaveProperty('gateways');
    expect(text).not.toContain('gw-named');
    const wrongToken = await fetch(`${ingest.url}/api/health`, {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(await wrongToken.text()).not.toContain('gw-named');
    const operator = await api('/api/health', 'operator');
    expect(operator.status).toBe(200);
    expect(operator.body).not.toHaveProperty('gateways');
    expect(JSON.stringify(operator.body)).not.toContain('gw-named');
    for (const role of ['admin', 'maintenance'] as const) {
      const { body } = await api('/api/health', role);
      const ids = (body as { gateways: { id: string }[] }).gateways.map((g) => g.id);
      expect(ids, role).toContain('gw-named');
    }
  });

  it('takes no alarm from a retained birth the broker replays on connect', async () => {
    // The birth was retained before ingest subscribed (beforeAll); a marker from the same
    // gateway, published after ingest was up, is committed after the replay.
    await pub(
      machineTopic('gw-retained', 'm-r', 'count'),
      JSON.stringify({ v: 1, seq: 1, ts: Date.now(), good: 1, reject: 0 }),
    );
    await committed('gw-retained', 1);
    const { rows } = await ingest.pool.query<{ status: string }>(
      "SELECT status FROM gateways WHERE id = 'gw-retained'",
    );
    expect(rows).toEqual([{ status: 'online' }]);
    const health = (await api('/api/health')).body as { gateways: Record<string, unknown>[] };
    expect(health.gateways.find((g) => g.id === 'gw-retained')).toMatchObject({
      clockSkewed: false,
    });
    expect(logLines.filter((l) => l.includes('gw-retained') && l.includes('clock is off'))).toEqual(
      [],
    );
  });
});

describe('GET /api/dead-letters (issue 15 item 9)', () => {
  it('answers admin and maintenance with the dead letters, newest first, and counts them in /api/health', async () => {
    await pub(machineTopic('gw-dl', 'm-dl', 'count'), '{"v":1,"seq":1,"ts":1,"good":"many"}');
    await pub(machineTopic('gw-dl', 'm-dl', 'count'), '<script>alert(1)</script>\u0007');
    await pub(
      machineTopic('gw-dl', 'm-dl', 'count'),
      JSON.stringify({ v: 1, seq: 2, ts: Date.now(), good: 1, reject: 0 }),
    );
    await committed('gw-dl', 2);
    for (const role of ['admin', 'maintenance'] as const) {
      const { status, body } = await api('/api/dead-letters?gateway=gw-dl', role);
      expect(status).toBe(200);
      expect(body).toEqual([
        {
          id: expect.any(Number),
          receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          gateway: 'gw-dl',
          topic: 'takt/v1/q-site/gw-dl/m-dl/count',
          reason: expect.any(String),
          payloadExcerpt: '<script>alert(1)</script>\uFFFD',
        },
        expect.objectContaining({ payloadExcerpt: '{"v":1,"seq":1,"ts":1,"good":"many"}' }),
      ]);
    }
    const limited = await api('/api/dead-letters?gateway=gw-dl&limit=1');
    expect(limited.body).toHaveLength(1);
    const before = await api(
      `/api/dead-letters?gateway=gw-dl&to=${new Date(Date.now() - DAY).toISOString()}`,
    );
    expect(before.body).toEqual([]);
    const health = (await api('/api/health', 'maintenance')).body as {
      deadLetters24h: number;
      gateways: Record<string, unknown>[];
    };
    expect(health.gateways.find((g) => g.id === 'gw-dl')).toMatchObject({ deadLetters24h: 2 });
    expect(health.deadLetters24h).toBeGreaterThanOrEqual(2);
  });

  it('refuses an operator (403) and a bad query (400 with the reason)', async () => {
    expect((await api('/api/dead-letters', 'operator')).status).toBe(403);
    for (const [query, reason] of [
      ['from=yesterday', /^from: /],
      ['limit=0', /^limit: /],
      ['gateway=a%2Fb', /^gateway: /],
      ['colour=red', /colour/],
      [
        `from=${new Date().toISOString()}&to=${new Date(Date.now() - HOUR).toISOString()}`,
        /before/,
      ],
    ] as const) {
      const { status, body } = await api(`/api/dead-letters?${query}`);
      expect(status, query).toBe(400);
      expect(body.message, query).toMatch(reason);
    }
  });
});
