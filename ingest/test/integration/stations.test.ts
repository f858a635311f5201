import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics, type StationView } from '@takt/protocol';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';

/*
 * The operator station on the real pipeline (docs/work-orders.md "Stations in the browser"):
 * a station link posts raw codes, ingest reads them with the plant's station codes and hands
 * them to the same batcher, writer and work-orders consumer as a gateway's scans.
 */
const log = pino({ level: 'silent' });
let broker: RunningBroker;
let ingest: RunningIngest;
let gw: mqtt.MqttClient;
let manager: Record<string, string>;
const MIN = 60_000;
const t0 = Date.now() - 30 * MIN;

const call = async (
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
) => {
  const response = await fetch(`${ingest.url}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
};

/** A station link for `station`, as the Links page makes it: the headers it signs in with. */
async function stationLink(station: string) {
  const made = await call('POST', '/api/station-tokens', manager, { station });
  expect(made.status).toBe(201);
  return { authorization: `Bearer ${(made.body as { token: string }).token}` };
}

const codes = (list: [number, number, string][]) =>
  list.map(([seq, minute, code]) => ({ seq, ts: t0 + minute * MIN, code }));

async function post(station: string, auth: Record<string, string>, device: string, scans: unknown) {
  return call('POST', `/api/stations/${station}/scans`, auth, { device, scans });
}

const view = async (station: string, auth: Record<string, string>) => {
  const got = await call('GET', `/api/stations/${station}`, auth);
  expect(got.status).toBe(200);
  return got.body as StationView;
};

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const order = (id: string, ops: [string, string][]) =>
  call('POST', '/api/work-orders', manager, {
    id,
    product: 'part-a',
    quantity: 10,
    operations: ops.map(([op, machine]) => ({ id: op, machine })),
  });

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_stations'),
    mqtt: { url, clientId: `ingest-stations-${Math.random()}` },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../fixtures/station-plant.yaml'),
    batch: { maxItems: 1000, maxDelayMs: 20 },
    log,
  });
  await ingest.subscribed;
  gw = await mqtt.connectAsync(url);
  manager = await signedIn(ingest.pool, 'manager');
  for (const [id, ops] of [
    [
      'WO-100',
      [
        ['OP10', 'bench-1'],
        ['OP20', 'bench-2'],
      ],
    ],
    ['WO-200', [['OP10', 'bench-3']]],
    ['WO-201', [['OP10', 'bench-3']]],
    ['WO-300', [['OP10', 'bench-4']]],
  ] as [string, [string, string][]][])
    expect((await order(id, ops)).status).toBe(201);
});
afterAll(async () => {
  await gw?.endAsync();
  await ingest?.stop();
  await broker?.stop();
});

describe('a station in the browser (issue 17)', () => {
  it('badge, start, 5 good and 1 reject: the station shows the order running with its operator', async () => {
    const link = await stationLink('bench-1');
    const scans = codes([
      [1, 0, 'E1234'],
      [2, 1, 'WO-100|OP10'],
      [3, 2, 'QTY:5'],
      [4, 3, 'REJ:1:burr'],
    ]);
    const first = await post('bench-1', link, 'tablet-one', scans);
    expect(first).toEqual({ status: 200, body: { acked: [[1, 4]] } });
    const v = await view('bench-1', link);
    expect(v.station).toEqual({ id: 'bench-1', name: 'Bench 1', machine: null, line: 'line-s' });
    expect(v.operator).toMatchObject({ badge: '1234', since: new Date(t0).toISOString() });
    expect(v.order).toMatchObject({
      workOrder: 'WO-100',
      operation: 'OP10',
      product: 'part-a',
      quantity: 10,
      good: 5,
      rejected: 1,
      status: 'running',
    });
    expect(v.events.map((e) => [e.code, e.kind, e.operator])).toEqual([
      ['REJ:1:burr', 'count', '1234'],
      ['QTY:5', 'count', '1234'],
      ['WO-100|OP10', 'scan', '1234'],
      ['E1234', 'scan', '1234'],
    ]);
    expect(v.reasons.reject).toEqual([{ id: 'burr', name: 'Burr' }]);

    // The same seqs again (a retry after a lost answer): acked, stored once, counted once.
    const again = await post('bench-1', link, 'tablet-one', scans);
    expect(again).toEqual({ status: 200, body: { acked: [[1, 4]] } });
    const { rows } = await ingest.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM scans WHERE gateway_id = 'web:tablet-one'",
    );
    expect(Number(rows[0]!.n)).toBe(4);
    expect((await view('bench-1', link)).order).toMatchObject({ good: 5, rejected: 1 });
  });

  it('refuses with a code, and changes nothing: another station, nothing running, an unknown code', async () => {
    const bench1 = await stationLink('bench-1');
    const bench2 = await stationLink('bench-2');
    const other = await post(
      'bench-1',
      bench1,
      'tablet-one',
      codes([
        [5, 4, 'WO-100|OP20'],
        [6, 5, 'HELLO-WORLD'],
      ]),
    );
    expect(other.status).toBe(200);
    const early = await post('bench-2', bench2, 'tablet-two', codes([[1, 4, 'ACT:COMPLETE']]));
    expect(early.status).toBe(200);
    const at1 = await view('bench-1', bench1);
    expect(at1.events.slice(0, 2).map((e) => [e.code, e.kind, e.refusal])).toEqual([
      ['HELLO-WORLD', 'refused', 'unknown-code'],
      ['WO-100|OP20', 'refused', 'other-station'],
    ]);
    expect(at1.events[1]!.message).toBe(
      'operation OP20 of order WO-100 runs at bench-2, not at bench-1',
    );
    const at2 = await view('bench-2', bench2);
    expect(at2.events.map((e) => [e.code, e.kind, e.refusal])).toEqual([
      ['ACT:COMPLETE', 'refused', 'no-running-operation'],
    ]);
    expect(at2.order).toBeNull();
    // Nothing changed: OP10 runs with its figures, OP20 never started.
    const wo = await call('GET', '/api/work-orders/WO-100', manager);
    const ops = (wo.body as { operations: { id: string; status: string; good: number }[] })
      .operations;
    expect(ops.map((o) => [o.id, o.status, o.good])).toEqual([
      ['OP10', 'running', 5],
      ['OP20', 'pending', 0],
    ]);
    // In the order's history the refusal keeps its code beside its text.
    const history = await call('GET', '/api/work-orders/WO-100/history', manager);
    const refused = (
      history.body as { events: { kind: string; detail: Record<string, unknown> }[] }
    ).events.filter((e) => e.kind === 'refused');
    expect(refused.map((e) => [e.detail.code, e.detail.refusal])).toEqual([
      ['WO-100|OP20', 'other-station'],
    ]);
  });

  it('words a refusal in the language asked (lang=, then Accept-Language), English otherwise, with no ISO time', async () => {
    const link = await stationLink('bench-2');
    const sent = await post('bench-2', link, 'tablet-lang', codes([[1, 6, 'WO-999|OP10']]));
    expect(sent.status).toBe(200);
    const refusalAt = async (headers: Record<string, string>, query = '') => {
      const got = await call('GET', `/api/stations/bench-2${query}`, { ...link, ...headers });
      expect(got.status).toBe(200);
      const e = (got.body as StationView).events.find((x) => x.code === 'WO-999|OP10');
      expect(e).toMatchObject({ kind: 'refused', refusal: 'unknown-order' });
      return e!;
    };
    const english = await refusalAt({});
    expect(english.message).toBe('unknown order WO-999');
    expect(english.messageKey).toBe('stations.refusal.unknown-order');
    expect(english.messageParams).toEqual({ order: 'WO-999' });
    expect((await refusalAt({}, '?lang=zh-CN')).message).toBe('没有工单 WO-999');
    expect((await refusalAt({ 'accept-language': 'zh-CN,zh;q=0.9' })).message).toBe(
      '没有工单 WO-999',
    );
    // lang= wins over the header.
    expect((await refusalAt({ 'accept-language': 'zh-CN' }, '?lang=en')).message).toBe(
      'unknown order WO-999',
    );
    // A code no order names, refused at the station itself, reads the same way.
    const none = await post('bench-2', link, 'tablet-lang', codes([[2, 7, 'ACT:PAUSE']]));
    expect(none.status).toBe(200);
    const zh = await call('GET', '/api/stations/bench-2?lang=zh-CN', link);
    const noRun = (zh.body as StationView).events.find((x) => x.code === 'ACT:PAUSE')!;
    expect(noRun.message).toBe('bench-2 没有进行中的工序，条码也没有指明工单');
    for (const e of (zh.body as StationView).events)
      expect(e.message ?? '').not.toMatch(/\d{4}-\d{2}-\d{2}T/);

    // The order's history and the order view word a stored refusal for their reader too.
    const other = await post(
      'bench-1',
      await stationLink('bench-1'),
      'tablet-one',
      codes([[9, 8, 'WO-100|OP20']]),
    );
    expect(other.status).toBe(200);
    type Row = { kind: string; message: string | null; messageKey: string | null };
    const refusedIn = async (path: string, list: (b: unknown) => Row[]) => {
      const zhRows = list(
        (await call('GET', path, { ...manager, 'accept-language': 'zh-CN' })).body,
      );
      const enRows = list((await call('GET', path, manager)).body);
      return [zhRows, enRows].map((rows) => rows.filter((r) => r.kind === 'refused'));
    };
    for (const [path, list] of [
      ['/api/work-orders/WO-100/history', (b: unknown) => (b as { events: Row[] }).events],
      ['/api/work-orders/WO-100', (b: unknown) => (b as { history: Row[] }).history],
    ] as const) {
      const [zhRows, enRows] = await until(
        path,
        () => refusedIn(path, list),
        ([z]) => z!.length >= 2,
      );
      expect(zhRows![0]).toMatchObject({
        messageKey: 'stations.refusal.other-station',
        message: '工单 WO-100 的工序 OP20 在 bench-2 加工，不在 bench-1',
      });
      expect(enRows![0]!.message).toBe(
        'operation OP20 of order WO-100 runs at bench-2, not at bench-1',
      );
    }
  });

  it('gives the same result for scans posted out of order as in order', async () => {
    const link = await stationLink('bench-3');
    const late = codes([
      [3, 12, 'QTY:4'],
      [4, 13, 'REJ:1:burr'],
      [5, 14, 'ACT:PAUSE'],
    ]);
    const early = codes([
      [1, 10, 'E5678'],
      [2, 11, 'WO-200|OP10'],
    ]);
    // The later actions arrive first (a tablet's queue sent out of order), then the start.
    expect((await post('bench-3', link, 'tablet-three', late)).status).toBe(200);
    expect((await post('bench-3', link, 'tablet-three', early)).status).toBe(200);
    const shuffled = await view('bench-3', link);
    // In order, for a twin order on another device: the same figures, no refusal left.
    const inOrder = codes([
      [1, 20, 'E5678'],
      [2, 21, 'WO-201|OP10'],
      [3, 22, 'QTY:4'],
      [4, 23, 'REJ:1:burr'],
      [5, 24, 'ACT:PAUSE'],
    ]);
    expect((await post('bench-3', link, 'tablet-four', inOrder)).status).toBe(200);
    const wo = async (id: string) => {
      const got = await call('GET', `/api/work-orders/${id}`, manager);
      const { operations } = got.body as { operations: Record<string, unknown>[] };
      return operations.map(({ status, good, rejected }) => ({ status, good, rejected }));
    };
    expect(await wo('WO-200')).toEqual([{ status: 'paused', good: 4, rejected: 1 }]);
    expect(await wo('WO-201')).toEqual(await wo('WO-200'));
    expect(shuffled.events.filter((e) => e.kind === 'refused')).toEqual([]);
    expect(shuffled.order).toMatchObject({
      workOrder: 'WO-200',
      good: 4,
      rejected: 1,
      status: 'paused',
    });
  });

  it("folds a gateway's MQTT scan and a browser's scan at one station together", async () => {
    const link = await stationLink('bench-4');
    const publish = (seq: number, minute: number, body: Record<string, unknown>) =>
      gw.publishAsync(
        topics.machine('st-site', 'gw-bench', 'bench-4', 'scan'),
        encodePayload('scan', { v: 1, seq, ts: t0 + minute * MIN, ...body } as never),
        { qos: 1 },
      );
    await publish(1, 0, { code: 'E4242', action: 'login', operator: '4242' });
    await publish(2, 1, {
      code: 'WO-300|OP10',
      workOrder: 'WO-300',
      operation: 'OP10',
      action: 'start',
    });
    await until(
      'the MQTT scans stored',
      async () => {
        const { rows } = await ingest.pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM scans WHERE gateway_id = 'gw-bench'",
        );
        return Number(rows[0]!.n);
      },
      (n) => n === 2,
    );
    expect((await post('bench-4', link, 'tablet-five', codes([[1, 2, 'QTY:3']]))).status).toBe(200);
    const v = await view('bench-4', link);
    expect(v.order).toMatchObject({ workOrder: 'WO-300', good: 3, status: 'running' });
    expect(v.operator).toMatchObject({ badge: '4242' });
    // The browser's count carries the operator badged in through the gateway.
    expect(v.events[0]).toMatchObject({ code: 'QTY:3', kind: 'count', operator: '4242', good: 3 });
  });

  it('asks why the press stopped, takes one answer (a retry too), refuses another, and a supervisor corrects it', async () => {
    const link = await stationLink('press-s');
    const state = (seq: number, minute: number, running: boolean) =>
      gw.publishAsync(
        topics.machine('st-site', 'gw-press', 'press-s', 'state'),
        encodePayload('state', {
          v: 1,
          seq,
          ts: t0 + minute * MIN,
          state: running ? 'running' : 'down',
          code: running ? 1 : 3,
        }),
        { qos: 1 },
      );
    // Running, a 4-minute stop (over promptAfterS 120), a 30 s one (under it), running; the
    // edge re-sends an unchanged state every minute (its heartbeat).
    const timeline: [number, boolean][] = [
      [0, true],
      [1, true],
      [2, true],
      [3, true],
      [4, true],
      [5, false],
      [6, false],
      [7, false],
      [8, false],
      [9, true],
      [10, true],
      [11, true],
      [12, true],
      [13, true],
      [14, true],
      [15, false],
      [15.5, true],
    ];
    for (const [i, [minute, running]] of timeline.entries()) await state(i + 1, minute, running);
    await until(
      'the states stored',
      async () => {
        const { rows } = await ingest.pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM machine_states WHERE machine_id = 'press-s'",
        );
        return Number(rows[0]!.n);
      },
      (n) => n === timeline.length,
    );
    const stopStart = new Date(t0 + 5 * MIN).toISOString();
    const asked = await until(
      'the stop to explain',
      () => view('press-s', link),
      (v) => v.stops.length > 0,
    );
    expect(asked.promptAfterS).toBe(120);
    expect(asked.stops).toEqual([
      { start: stopStart, end: new Date(t0 + 9 * MIN).toISOString(), durationMs: 4 * MIN },
    ]);
    expect(asked.reasons.downtime.map((r) => r.id)).toEqual(['jam', 'material']);

    const answer = { stopStart, reason: 'jam' };
    const given = await call('POST', '/api/stations/press-s/stop-reason', link, answer);
    expect(given).toEqual({
      status: 200,
      body: { ok: true, stopStart, stopEnd: new Date(t0 + 9 * MIN).toISOString(), reason: 'jam' },
    });
    expect((await call('POST', '/api/stations/press-s/stop-reason', link, answer)).status).toBe(
      200,
    );
    const other = await call('POST', '/api/stations/press-s/stop-reason', link, {
      stopStart,
      reason: 'material',
    });
    expect(other.status).toBe(409);
    expect((other.body as { message: string }).message).toMatch(/already has the reason "jam"/);
    const nowhere = await call('POST', '/api/stations/press-s/stop-reason', link, {
      stopStart: new Date(t0 + 6 * MIN).toISOString(),
      reason: 'jam',
    });
    expect(nowhere.status).toBe(409);
    const after = await view('press-s', link);
    expect(after.stops).toEqual([]);
    expect(after.reasons.uses).toEqual({ jam: 1 });
    expect(after.events[0]).toMatchObject({ kind: 'reason', reason: 'jam' });

    // The correction is a supervisor's, logged with who, before and after.
    expect(
      (
        await call('PUT', '/api/machines/press-s/stop-reason', link, {
          stopStart,
          reason: 'material',
        })
      ).status,
    ).toBe(403);
    const corrected = await call('PUT', '/api/machines/press-s/stop-reason', manager, {
      stopStart,
      reason: 'material',
    });
    expect(corrected.status).toBe(200);
    expect(corrected.body).toMatchObject({ reason: 'material', before: 'jam' });
    const { rows } = await ingest.pool.query(
      'SELECT before, after, corrected_by FROM stop_reason_corrections',
    );
    expect(rows).toEqual([
      { before: 'jam', after: 'material', corrected_by: expect.stringMatching(/^manager-/) },
    ]);
    const logged = await view('press-s', link);
    expect(logged.events[0]).toMatchObject({ kind: 'correction', reason: 'material' });
    const downtime = await call(
      'GET',
      `/api/downtime?machine=press-s&from=${new Date(t0).toISOString()}&to=${new Date().toISOString()}`,
      manager,
    );
    expect(JSON.stringify(downtime.body)).toContain('material');
  });

  it('signs an operator in by PIN, and stops guessing after 5 wrong PINs', async () => {
    const admin = await signedIn(ingest.pool, 'admin');
    const saved = await call('POST', '/api/operators', admin, {
      badge: '7777',
      name: 'Ann',
      pin: '2468',
    });
    expect(saved.status).toBe(201);
    expect(saved.body).not.toHaveProperty('pin');
    const clash = await call('POST', '/api/operators', admin, {
      badge: '8888',
      name: 'Bo',
      pin: '2468',
    });
    expect(clash.status).toBe(409);
    const listed = await call('GET', '/api/operators', admin);
    expect(JSON.stringify(listed.body)).not.toMatch(/2468|scrypt/);
    const link = await stationLink('bench-2');
    const ok = await call('POST', '/api/stations/bench-2/pin', link, { pin: '2468' });
    expect(ok).toEqual({ status: 200, body: { badge: '7777', name: 'Ann' } });
    // The page then scans the badge; the station shows the operator's name.
    expect((await post('bench-2', link, 'tablet-two', codes([[2, 20, 'E7777']]))).status).toBe(200);
    expect((await view('bench-2', link)).operator).toMatchObject({ badge: '7777', name: 'Ann' });
    const wrong: number[] = [];
    for (let i = 0; i < 6; i++)
      wrong.push((await call('POST', '/api/stations/bench-2/pin', link, { pin: '0000' })).status);
    expect(wrong).toEqual([401, 401, 401, 401, 401, 429]);
    // Per station: another station still takes a PIN.
    const bench3 = await stationLink('bench-3');
    expect((await call('POST', '/api/stations/bench-3/pin', bench3, { pin: '2468' })).status).toBe(
      200,
    );
  });

  it('judges a station scan by the time horizon as a gateway, and refuses bad posts clearly', async () => {
    const link = await stationLink('bench-2');
    const ahead = [{ seq: 1, ts: Date.now() + 3 * 60 * MIN, code: 'QTY:1' }];
    // Stamped 3 h ahead (the horizon allows 1 h): kept as a dead letter, and acked all the same.
    expect(await post('bench-2', link, 'tablet-ahead', ahead)).toEqual({
      status: 200,
      body: { acked: [[1, 1]] },
    });
    const dead = await ingest.pool.query<{ topic: string }>(
      "SELECT topic FROM dead_letters WHERE topic LIKE 'http:%'",
    );
    expect(dead.rows).toEqual([{ topic: 'http:/api/stations/bench-2/scans (web:tablet-ahead)' }]);
    const stored = await ingest.pool.query(
      "SELECT 1 FROM scans WHERE gateway_id = 'web:tablet-ahead'",
    );
    expect(stored.rowCount).toBe(0);
    const short = await post('bench-2', link, 'tab', codes([[1, 0, 'E1234']]));
    expect(short.status).toBe(400);
    expect((short.body as { message: string }).message).toMatch(/^device: /);
    const none = await post('bench-2', link, 'tablet-ahead', []);
    expect(none.status).toBe(400);
    const admin = await signedIn(ingest.pool, 'admin');
    expect((await post('nowhere', admin, 'tablet-ahead', codes([[2, 0, 'E1']]))).status).toBe(404);
  });
});
