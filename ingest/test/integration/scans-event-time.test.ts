import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics, type PayloadByKind } from '@takt/protocol';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';

/*
 * Issue 15, item 2: every scan effect applies at the scan's own edge time. One evening of a
 * plant (two orders, a badge per station, mode and reason cards, hand counts, machine counts)
 * delivered live, late (the scanner's gateway replaying its queue after an outage, through
 * Debian's mosquitto_pub) and shuffled must give the same orders, history, modes and reasons.
 */
const log = pino({ level: 'silent' });
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
// The evening of a day 26-50 h ago (inside any retention, never in the future).
const base = Math.floor((Date.now() - 26 * 60 * MIN) / DAY) * DAY;
const at = (hhmm: string) => base + (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))) * MIN;

type Kind = 'state' | 'count' | 'scan';
interface Msg {
  machine: string;
  kind: Kind;
  ts: number;
  seq: number;
  body: Record<string, unknown>;
}
const messages: Msg[] = [];
const add = (machine: string, kind: Kind, hhmm: string, body: Record<string, unknown>) =>
  messages.push({ machine, kind, ts: at(hhmm), seq: 0, body });

// mix-1 (counts, driven by orders): running 22:00, down 23:10-23:20 (no PLC reason), running,
// down 23:50-24:00, running to 24:10; states re-sent every minute as the edge's heartbeat.
const periods: [string, string, Record<string, unknown>][] = [
  ['22:00', '23:10', { state: 'running', code: 1 }],
  ['23:10', '23:20', { state: 'down', code: 3 }],
  ['23:20', '23:50', { state: 'running', code: 1 }],
  ['23:50', '24:00', { state: 'down', code: 3 }],
  ['24:00', '24:10', { state: 'running', code: 1 }],
];
for (const [from, to, body] of periods)
  for (let ts = at(from); ts < at(to); ts += MIN)
    messages.push({ machine: 'mix-1', kind: 'state', ts, seq: 0, body });
add('mix-1', 'count', '22:00', { good: 0, reject: 0 });
add('mix-1', 'count', '22:30', { good: 100, reject: 0 }); // 100 for WO-1 (OP10 since 22:05)
add('mix-1', 'count', '23:05', { good: 200, reject: 2 }); // for WO-2 (since 23:01)
add('mix-1', 'count', '23:40', { good: 300, reject: 4 }); // for WO-2
const scan = (station: string, hhmm: string, body: Record<string, unknown>) =>
  add(station, 'scan', hhmm, body);
scan('asm-1', '22:01', { code: 'E7', action: 'login', operator: '7' });
scan('mix-1', '22:02', { code: 'E9', action: 'login', operator: '9' });
scan('mix-1', '22:05', {
  code: 'WO-1/OP10',
  workOrder: 'WO-1',
  operation: 'OP10',
  action: 'start',
});
scan('asm-1', '22:06', {
  code: 'WO-1/OP20',
  workOrder: 'WO-1',
  operation: 'OP20',
  action: 'start',
});
scan('asm-1', '22:40', { code: 'QTY:20', action: 'good', quantity: 20 });
scan('mix-1', '23:00', { code: 'ACT:CHANGEOVER', action: 'changeover' });
scan('mix-1', '23:01', {
  code: 'WO-2/OP10',
  workOrder: 'WO-2',
  operation: 'OP10',
  action: 'start',
});
scan('mix-1', '23:12', { code: 'Rspindle', action: 'reason', reason: 'spindle' });
scan('mix-1', '23:30', { code: 'REJ:2:burr', action: 'reject', quantity: 2, reason: 'burr' });
scan('mix-1', '23:35', { code: 'ACT:LOGOUT', action: 'logout' });
scan('mix-1', '23:45', { code: 'ACT:COMPLETE', action: 'complete' });
scan('asm-1', '23:46', { code: 'ACT:PAUSE', action: 'pause' });
scan('asm-1', '23:55', {
  code: 'WO-1/OP20',
  workOrder: 'WO-1',
  operation: 'OP20',
  action: 'complete',
});
// One gateway: seq in edge-time order, as its disk queue holds them.
messages.sort((a, b) => a.ts - b.ts);
messages.forEach((m, i) => (m.seq = i + 1));

let broker: RunningBroker;
beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
});
afterAll(() => broker?.stop());

const topicOf = (m: Msg) => topics.machine('prod-site', 'gw-scan', m.machine, m.kind);
const encode = (m: Msg) =>
  encodePayload(m.kind, { v: 1, seq: m.seq, ts: m.ts, ...m.body } as PayloadByKind[Kind]);

async function waitRows(ingest: RunningIngest, table: string, n: number) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { rows } = await ingest.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    if (Number(rows[0]!.n) >= n) return;
    if (Date.now() > deadline) throw new Error(`${table}: ${rows[0]!.n} rows, expected ${n}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A fresh ingest and database, the evening delivered by `deliver`, and what it derived. */
async function run(deliver: (gw: mqtt.MqttClient, ingest: RunningIngest) => Promise<void>) {
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_scans'),
    mqtt: { url, clientId: `ingest-scans-${messages.length}-${Math.random()}` },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../fixtures/production-plant.yaml'),
    batch: { maxItems: 1000, maxDelayMs: 20 },
    log,
  });
  const gw = await mqtt.connectAsync(url);
  try {
    await ingest.subscribed;
    const auth = await signedIn(ingest.pool, 'manager');
    const api = async (path: string, init: RequestInit = {}) => {
      const headers = { ...auth, 'content-type': 'application/json' };
      const response = await fetch(`${ingest.url}${path}`, { ...init, headers });
      return (await response.json()) as Record<string, unknown>;
    };
    for (const [id, ops] of [
      [
        'WO-1',
        [
          { id: 'OP10', machine: 'mix-1' },
          { id: 'OP20', machine: 'asm-1' },
        ],
      ],
      ['WO-2', [{ id: 'OP10', machine: 'mix-1' }]],
    ] as const)
      await api('/api/work-orders', {
        method: 'POST',
        body: JSON.stringify({ id, product: 'part-a', quantity: 100, operations: ops }),
      });
    await deliver(gw, ingest);
    const n = (kind: Kind) => messages.filter((m) => m.kind === kind).length;
    await waitRows(ingest, 'scans', n('scan'));
    await waitRows(ingest, 'counts', n('count'));
    await waitRows(ingest, 'machine_states', n('state'));
    const orders: Record<string, unknown> = {};
    for (const id of ['WO-1', 'WO-2']) {
      // The order view waits for the work orders' consumer to finish every committed batch.
      const { status, good, rejected, progress, operations } = await api(`/api/work-orders/${id}`);
      const { events, counts } = await api(`/api/work-orders/${id}/history`);
      orders[id] = {
        // An operation's ETA is counted from now (docs/work-orders.md), so it moves with the
        // clock between runs: everything else must be equal.
        view: {
          status,
          good,
          rejected,
          progress,
          operations: (operations as Record<string, unknown>[]).map(({ eta: _eta, ...op }) => op),
        },
        events: (events as { kind: string }[]).filter((e) => e.kind !== 'created'),
        counts,
      };
    }
    const modes = await ingest.pool.query(
      "SELECT machine_id, time, mode, source, detail FROM machine_modes WHERE source <> 'api' ORDER BY time, id",
    );
    const reasons = await ingest.pool.query(
      'SELECT machine_id, stop_start, reason, source FROM stop_reasons ORDER BY stop_start',
    );
    return { orders, modes: modes.rows, reasons: reasons.rows };
  } finally {
    await gw.endAsync();
    await ingest.stop();
  }
}

const publish = (gw: mqtt.MqttClient, list: readonly Msg[]) =>
  Promise.all(list.map((m) => gw.publishAsync(topicOf(m), encode(m), { qos: 1 })));

describe('scans apply at their own edge time', () => {
  let live: Awaited<ReturnType<typeof run>>;

  it('live: each message in time order, each scan applied before the next', async () => {
    live = await run(async (gw, ingest) => {
      let scans = 0;
      for (const m of messages) {
        await publish(gw, [m]);
        if (m.kind === 'scan') await waitRows(ingest, 'scans', ++scans);
      }
    });
    // The 23:12 card explains the stop open then (23:10), not the latest one (23:50).
    expect(live.reasons).toEqual([
      { machine_id: 'mix-1', stop_start: new Date(at('23:10')), reason: 'spindle', source: 'scan' },
    ]);
    const wo1 = live.orders['WO-1'] as { view: { operations: unknown[] }; events: unknown[] };
    expect(wo1.view.operations).toEqual([
      expect.objectContaining({ id: 'OP10', status: 'paused', good: 100 }),
      expect.objectContaining({ id: 'OP20', status: 'done', good: 20 }),
    ]);
    // Operators are who was badged in at each scan's time.
    expect(
      (wo1.events as { operation: string; detail: Record<string, unknown> }[]).map((e) => [
        e.operation,
        e.detail.action ?? 'count',
        e.detail.operator ?? null,
      ]),
    ).toEqual([
      ['OP20', 'complete', '7'],
      ['OP20', 'pause', '7'],
      ['OP10', 'pause', null], // WO-2 started on mix-1
      ['OP20', 'start', '7'],
      ['OP10', 'start', '9'],
    ]);
    const wo2 = live.orders['WO-2'] as { view: Record<string, unknown>; events: unknown[] };
    expect(wo2.view).toMatchObject({ status: 'completed', good: 198, rejected: 6 });
    expect(
      (wo2.events as { detail: Record<string, unknown> }[]).map((e) => e.detail.operator ?? null),
    ).toEqual([null, '9']); // ACT:COMPLETE after the 23:35 logout names nobody
    expect(
      live.modes.map((m: { machine_id: string; mode: string }) => [m.machine_id, m.mode]),
    ).toEqual([
      ['mix-1', 'production'],
      ['asm-1', 'production'],
      ['mix-1', 'changeover'],
      ['mix-1', 'production'],
      ['mix-1', 'no_order'], // mix-1 is driven by orders; asm-1 is not
    ]);
  });

  it('late: states and counts first, then the scanner gateway replays its queue (mosquitto_pub)', async () => {
    const late = await run(async (gw) => {
      await publish(
        gw,
        messages.filter((m) => m.kind !== 'scan'),
      );
      // A client Takt did not write, one process per station, each line a message.
      for (const station of ['asm-1', 'mix-1']) {
        const scans = messages.filter((m) => m.kind === 'scan' && m.machine === station);
        const child = promisify(execFile)('mosquitto_pub', [
          '-h',
          '127.0.0.1',
          '-p',
          String(broker.port),
          '-q',
          '1',
          '-l',
          '-t',
          topicOf(scans[0]!),
        ]);
        child.child.stdin!.end(
          scans.map((m) => Buffer.from(encode(m)).toString('utf8')).join('\n') + '\n',
        );
        await child;
      }
    });
    expect(late).toEqual(live);
  });

  it('shuffled: counts first, then scans and states in a random order, all at once', async () => {
    let seed = 15;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const rest = messages.filter((m) => m.kind !== 'count');
    for (let i = rest.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [rest[i], rest[j]] = [rest[j]!, rest[i]!];
    }
    // The 23:12 reason card before the states of its stop (item c of the brief).
    const card = rest.findIndex((m) => m.body.action === 'reason');
    rest.unshift(...rest.splice(card, 1));
    const shuffled = await run(async (gw) => {
      await publish(
        gw,
        messages.filter((m) => m.kind === 'count'),
      );
      await publish(gw, rest);
    });
    expect(shuffled).toEqual(live);
  });
});
