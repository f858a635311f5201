import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hashPassword, startBroker, type RunningBroker } from '@takt/broker';
import { topics, type MachineMessageKind } from '@takt/protocol';
import { requirePeer } from '@takt/sim';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { writeBatch } from '../../src/pipeline/writer';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';

/*
 * Issue 18 finding 1 through the real broker and PostgreSQL, with the demo plant model (its
 * machines declare gw-demo-1). A second gateway account, gw-evil, publishes with Debian's
 * mosquitto_pub (a client Takt did not write) for gw-demo-1's machines: every message goes to
 * dead letters with the reason and changes no state, count or order, while gw-demo-1's own
 * messages keep being stored in the same period.
 */
const SITE = 'demo-plant';
const PASSWORD = { demo: 'demo-pass-1', evil: 'evil-pass-2', ingest: 'ingest-pass-3' };
let broker: RunningBroker;
let ingest: RunningIngest;
let demo: MqttClient;
let demoSeq = 0;
let evilSeq = 0;
let clientNo = 0;

const machineTopic = (gw: string, machine: string, kind: MachineMessageKind) =>
  topics.machine(SITE, gw, machine, kind);

/** gw-evil speaks with mosquitto_pub, each message its own connection. */
async function evilPub(
  machine: string,
  kind: MachineMessageKind,
  payload: object,
): Promise<number> {
  const seq = ++evilSeq;
  await promisify(execFile)('mosquitto_pub', [
    ...['-h', '127.0.0.1', '-p', String(broker.port), '-i', `takt-gw-gw-evil/pub-${++clientNo}`],
    ...['-u', 'gw-evil', '-P', PASSWORD.evil, '-q', '1'],
    ...[
      '-t',
      machineTopic('gw-evil', machine, kind),
      '-m',
      JSON.stringify({ v: 1, seq, ...payload }),
    ],
  ]);
  return seq;
}

async function demoPub(
  machine: string,
  kind: MachineMessageKind,
  payload: object,
): Promise<number> {
  const seq = ++demoSeq;
  await demo.publishAsync(
    machineTopic('gw-demo-1', machine, kind),
    JSON.stringify({ v: 1, seq, ...payload }),
    { qos: 1 },
  );
  return seq;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until a gateway's seq is committed (stored, duplicate or dead letter). */
const committed = (gw: string, seq: number) =>
  waitFor(`seq ${seq} of ${gw}`, async () => {
    const { rows } = await ingest.pool.query(
      'SELECT 1 FROM received_messages WHERE gateway_id = $1 AND seq = $2',
      [gw, seq],
    );
    return rows.length > 0 || undefined;
  });

async function deadLettersOf(gw: string): Promise<{ topic: string; reason: string }[]> {
  const { rows } = await ingest.pool.query<{ topic: string; reason: string }>(
    'SELECT topic, reason FROM dead_letters WHERE gateway_id = $1 ORDER BY id',
    [gw],
  );
  return rows;
}

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${ingest.url}${path}`, {
    method,
    headers: {
      ...(await signedIn(ingest.pool, 'admin')),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers checked field by field
  return { status: response.status, body: (await response.json()) as any };
}

const withoutEta = (operations: { eta: unknown }[]) =>
  operations.map(({ eta: _eta, ...rest }) => rest);

const machineRow = async (id: string) =>
  (
    await ingest.pool.query<{ state: string; good_total: string | null; gateway_id: string }>(
      'SELECT state, good_total, gateway_id FROM machines WHERE id = $1',
      [id],
    )
  ).rows[0]!;

beforeAll(async () => {
  requirePeer('mosquitto-clients');
  const log = pino({ level: 'silent' });
  const gateway = async (id: string, password: string) => ({
    username: id,
    passwordHash: await hashPassword(password),
    role: 'gateway' as const,
    site: SITE,
    gatewayId: id,
  });
  broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    users: [
      await gateway('gw-demo-1', PASSWORD.demo),
      await gateway('gw-evil', PASSWORD.evil),
      { username: 'ingest', passwordHash: await hashPassword(PASSWORD.ingest), role: 'ingest' },
    ],
    log,
  });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_binding'),
    mqtt: { url, username: 'ingest', password: PASSWORD.ingest, clientId: 'ingest-binding' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../../plant/demo-plant.yaml'),
    batch: { maxItems: 500, maxDelayMs: 20 },
    log,
  });
  await ingest.subscribed;
  demo = await mqtt.connectAsync(url, {
    clientId: 'takt-gw-gw-demo-1/test',
    username: 'gw-demo-1',
    password: PASSWORD.demo,
  });
});
afterAll(async () => {
  await demo?.endAsync();
  await ingest?.stop();
  await broker?.stop();
});

describe('a gateway speaks only for its own machines (issue 18)', () => {
  it("refuses gw-evil's state, count and scan for gw-demo-1's machines while gw-demo-1's data flows", async () => {
    const created = await api('POST', '/api/work-orders', {
      id: 'WO-BIND',
      product: 'bracket-b12',
      quantity: 100,
      dueAt: '2030-01-01T00:00:00Z',
      operations: [{ id: 'OP10', machine: 'press-02' }],
    });
    expect(created.status).toBe(201);
    const orderBefore = await api('GET', '/api/work-orders/WO-BIND');
    const t0 = Date.now();
    await demoPub('press-01', 'state', { ts: t0, state: 'running' });
    await demoPub('press-01', 'count', { ts: t0, good: 1000, reject: 5 });
    await committed(
      'gw-demo-1',
      await demoPub('press-01', 'count', { ts: t0 + 1, good: 1010, reject: 5 }),
    );
    const before = await machineRow('press-01');
    expect(before).toEqual({ state: 'running', good_total: '1010', gateway_id: 'gw-demo-1' });

    // gw-evil, interleaved with gw-demo-1's own data in the same period.
    const evil = [
      await evilPub('press-01', 'state', { ts: Date.now(), state: 'down', reason: 'mechanical' }),
    ];
    await demoPub('press-01', 'count', { ts: Date.now(), good: 1020, reject: 5 });
    evil.push(await evilPub('press-01', 'count', { ts: Date.now(), good: 999_999, reject: 0 }));
    evil.push(
      await evilPub('press-02', 'scan', {
        ts: Date.now(),
        code: 'WO-BIND|OP10',
        workOrder: 'WO-BIND',
        operation: 'OP10',
        action: 'start',
      }),
    );
    await demoPub('press-01', 'count', { ts: Date.now(), good: 1030, reject: 6 });
    for (const seq of evil) await committed('gw-evil', seq);
    // A marker after everything: once it is stored, all before it was judged.
    await committed(
      'gw-demo-1',
      await demoPub('press-01', 'state', { ts: Date.now(), state: 'running', code: 1 }),
    );

    expect(await deadLettersOf('gw-evil')).toEqual([
      {
        topic: machineTopic('gw-evil', 'press-01', 'state'),
        reason: 'machine press-01 belongs to gateway gw-demo-1, not gw-evil',
      },
      {
        topic: machineTopic('gw-evil', 'press-01', 'count'),
        reason: 'machine press-01 belongs to gateway gw-demo-1, not gw-evil',
      },
      {
        topic: machineTopic('gw-evil', 'press-02', 'scan'),
        reason: 'station press-02 belongs to gateway gw-demo-1, not gw-evil',
      },
    ]);
    // gw-demo-1's counts around gw-evil's went in; nothing of gw-evil's did.
    expect(await machineRow('press-01')).toEqual({
      state: 'running',
      good_total: '1030',
      gateway_id: 'gw-demo-1',
    });
    const states = await ingest.pool.query(
      "SELECT 1 FROM machine_states WHERE machine_id = 'press-01' AND (gateway_id = 'gw-evil' OR state = 'down')",
    );
    expect(states.rows).toEqual([]);
    const counts = await ingest.pool.query<{ good_total: string }>(
      "SELECT good_total FROM counts WHERE machine_id = 'press-01' ORDER BY time",
    );
    expect(counts.rows.map((r) => Number(r.good_total))).toEqual([1000, 1010, 1020, 1030]);
    const scans = await ingest.pool.query("SELECT 1 FROM scans WHERE gateway_id = 'gw-evil'");
    expect(scans.rows).toEqual([]);
    const order = await api('GET', '/api/work-orders/WO-BIND');
    expect(order.status).toBe(200);
    expect(order.body.status).toBe(orderBefore.body.status);
    expect(order.body.status).not.toBe('running');
    // The operations' progress is unchanged. Their eta is left out: it comes from the plan, which
    // is recomputed in the background after the order is created and as time passes, so it can
    // be null in the first read and set in the second (docs/decisions.md "Issue 21 — the plan in ingest, the single ETA").
    expect(withoutEta(order.body.operations)).toEqual(withoutEta(orderBefore.body.operations));
  });

  it("acks gw-evil's refused seqs (kept as dead letters), so its queue does not grow", async () => {
    const evil = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      clientId: 'takt-gw-gw-evil/acks',
      username: 'gw-evil',
      password: PASSWORD.evil,
    });
    try {
      await evil.subscribeAsync(topics.ack(SITE, 'gw-evil'), { qos: 1 });
      const next = evilSeq + 1;
      // An ack of an earlier test's seqs may still come in: wait for the one naming ours.
      const acked = new Promise<number[][]>((resolve) =>
        evil.on('message', (_t, payload) => {
          const ranges = JSON.parse(payload.toString()).ranges as number[][];
          if (ranges.some(([from, to]) => from! <= next && next <= to!)) resolve(ranges);
        }),
      );
      const seq = await evilPub('cnc-01', 'metrics', {
        ts: Date.now(),
        readings: [{ tag: 'temperature', value: 99, ts: Date.now(), quality: 'good' }],
      });
      expect(seq).toBe(next);
      expect(await acked).toEqual([[seq, seq]]);
      const dead = await deadLettersOf('gw-evil');
      expect(dead.at(-1)!.reason).toBe('machine cnc-01 belongs to gateway gw-demo-1, not gw-evil');
      const values = await ingest.pool.query(
        "SELECT 1 FROM machine_values WHERE machine_id = 'cnc-01' AND tag = 'temperature'",
      );
      expect(values.rows).toEqual([]);
    } finally {
      await evil.endAsync();
    }
  });

  it('binds an undeclared machine on first sight, shows it to admins, and releases it', async () => {
    await committed(
      'gw-evil',
      await evilPub('press-09', 'state', { ts: Date.now(), state: 'idle' }),
    );
    const listed = await api('GET', '/api/gateways/bindings');
    expect(listed.status).toBe(200);
    const byKey = new Map(
      (listed.body as { machine: string; role: string; since: string }[]).map((b) => [
        `${b.role}/${b.machine}`,
        b,
      ]),
    );
    for (const role of ['machine', 'station'])
      expect(byKey.get(`${role}/press-01`)).toMatchObject({
        gateway: 'gw-demo-1',
        source: 'declared',
      });
    expect(byKey.get('machine/press-09')).toMatchObject({
      gateway: 'gw-evil',
      source: 'first-seen',
    });
    expect(byKey.has('station/press-09')).toBe(false); // no scan came for it
    expect(Date.parse(byKey.get('machine/press-09')!.since)).toBeGreaterThan(Date.now() - 60_000);

    // gw-demo-1 now comes second for press-09.
    await committed(
      'gw-demo-1',
      await demoPub('press-09', 'state', { ts: Date.now(), state: 'running' }),
    );
    expect((await deadLettersOf('gw-demo-1')).map((d) => d.reason)).toEqual([
      'machine press-09 belongs to gateway gw-evil, not gw-demo-1',
    ]);
    expect((await machineRow('press-09')).state).toBe('idle');

    // A declared binding is the plant model's; an unknown machine has none.
    const declared = await api('DELETE', '/api/gateways/bindings/press-01');
    expect(declared.status).toBe(409);
    expect(declared.body.message).toMatch(/plant model binds press-01 to gateway gw-demo-1/);
    expect((await api('DELETE', '/api/gateways/bindings/no-such-machine')).status).toBe(404);
    expect((await api('DELETE', '/api/gateways/bindings/bad%20id')).status).toBe(400);
    expect((await api('DELETE', '/api/gateways/bindings/press-09?role=plc')).status).toBe(400);

    // The machine moved to gw-demo-1's Pi: release, and gw-demo-1's next message binds it.
    const released = await api('DELETE', '/api/gateways/bindings/press-09');
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject([
      { machine: 'press-09', role: 'machine', gateway: 'gw-evil', source: 'first-seen' },
    ]);
    await committed(
      'gw-demo-1',
      await demoPub('press-09', 'state', { ts: Date.now(), state: 'running' }),
    );
    expect((await machineRow('press-09')).state).toBe('running');
    const after = await api('GET', '/api/gateways/bindings');
    expect(after.body.filter((b: { machine: string }) => b.machine === 'press-09')).toMatchObject([
      {
        gateway: 'gw-demo-1',
        source: 'first-seen',
      },
    ]);
    await committed(
      'gw-evil',
      await evilPub('press-09', 'state', { ts: Date.now(), state: 'down' }),
    );
    expect((await deadLettersOf('gw-evil')).at(-1)!.reason).toBe(
      'machine press-09 belongs to gateway gw-demo-1, not gw-evil',
    );
  });

  it("passes a station browser's scan (web:<device>) without binding the station", async () => {
    await writeBatch(ingest.pool, [
      {
        kind: 'message',
        message: {
          site: SITE,
          gatewayId: 'web:0f3c9a',
          machineId: 'bench-7',
          kind: 'scan',
          payload: {
            v: 1,
            seq: 1,
            ts: Date.now(),
            code: 'E1234',
            operator: '1234',
            action: 'login',
          },
        },
      },
    ]);
    const stored = await ingest.pool.query(
      "SELECT gateway_id FROM scans WHERE station_id = 'bench-7'",
    );
    expect(stored.rows).toEqual([{ gateway_id: 'web:0f3c9a' }]);
    const bound = await ingest.pool.query(
      "SELECT 1 FROM machine_gateways WHERE machine_id = 'bench-7'",
    );
    expect(bound.rows).toEqual([]);
  });
});
