import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { addAccount } from '@takt/broker';
import { requirePeer } from '@takt/sim';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { signedIn } from '../helpers/auth';
import { startMosquitto, type RunningMosquitto } from '../helpers/mosquitto';
import { createTestDatabase } from '../helpers/test-db';
import { waitFor } from '../helpers/wait';

/*
 * Past one server on a broker Takt did not write (docs/deployment.md "Past one server"):
 * the broker accounts exported by `npm run broker:accounts -- export mosquitto` run Debian's
 * Mosquitto 2; two unchanged ingest instances share `$share/ingest/takt/v1/#` on one database;
 * two gateways publish (one partly through mosquitto_pub, a client Takt did not write).
 *
 * What Mosquitto promises for a shared subscription: each message goes to one member of the
 * group (round robin in Mosquitto 2), and each member's session gets what it is given in the
 * order it was published (MQTT's ordering is per session). Across members there is no order,
 * so ingest must not need one: readings are keyed by their own time, counts are placed by edge
 * time under a row lock (pipeline/write-series.ts), states by `state_at`. A second share group
 * of two plain clients (`$share/probe/…`) records what each member got, which is where the
 * order promise is checked.
 */

const ROOT = join(import.meta.dirname, '../../..');
const SITE = 'plant-1';
const MESSAGES = 120; // per gateway
const FOREIGN_FROM = 80; // gw-b sends from this index on with mosquitto_pub
const T0 = Date.now() - 10 * 60_000;

interface Msg {
  topic: string;
  body: Record<string, unknown>;
}

/** One gateway's messages: a reading each second, totals every 10th, a state every 30th. */
function messagesOf(gw: string, machine: string): Msg[] {
  const base = `takt/v1/${SITE}/${gw}/${machine}`;
  const list: Msg[] = [];
  let seq = 0;
  for (let i = 1; i <= MESSAGES; i++) {
    const ts = T0 + i * 1000;
    const reading = { tag: 't', value: i, ts, quality: 'good' };
    list.push({ topic: `${base}/metrics`, body: { v: 1, seq: ++seq, ts, readings: [reading] } });
    if (i % 10 === 0 && i < FOREIGN_FROM)
      list.push({ topic: `${base}/count`, body: { v: 1, seq: ++seq, ts, good: i * 3, reject: 0 } });
    if (i % 30 === 0 && i < FOREIGN_FROM)
      list.push({
        topic: `${base}/state`,
        body: { v: 1, seq: ++seq, ts, state: i % 60 === 0 ? 'idle' : 'running' },
      });
  }
  return list;
}

const value = (m: Msg) => (m.body.readings as { value: number }[] | undefined)?.[0]?.value ?? 0;

let dir: string;
let broker: RunningMosquitto;
let databaseUrl: string;
const ingests: RunningIngest[] = [];
const clients: MqttClient[] = [];
const passwords = new Map<string, string>();
/** What each probe member received: [member, topic, body]. */
const probed: [number, string, Record<string, unknown>][] = [];

/** Both instances load one plant: its machines bound to their gateways, one alert rule. */
function plantFile(): string {
  const file = join(dir, 'plant.yaml');
  const machine = (id: string, gateway: string) => ({ id, name: id, gateway });
  const hot = { id: 'hot', kind: 'threshold', machines: ['m-a1'], tag: 'hot', above: 50 };
  writeFileSync(
    file,
    stringify({
      site: { id: SITE, name: 'Plant 1' },
      lines: [
        { id: 'l1', name: 'L1', machines: [machine('m-a1', 'gw-a'), machine('m-b1', 'gw-b')] },
      ],
      alerts: { rules: [hot], channels: [] },
    }),
  );
  return file;
}

async function exportAccounts(): Promise<void> {
  const users = join(dir, 'users.json');
  let handed = '';
  for (const gw of ['gw-a', 'gw-b']) {
    const added = await addAccount(users, { role: 'gateway', site: SITE, gatewayId: gw });
    passwords.set(gw, added.password);
    handed += `username=${gw}\npassword=${added.password}\n`;
  }
  await addAccount(users, { role: 'ingest', username: 'ingest' });
  writeFileSync(join(dir, 'handed'), handed, { mode: 0o600 });
  // ingest's password is not handed in: export issues a new one into a 0600 file.
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [
      ...['--import', 'tsx', 'broker/src/cli/accounts.ts', 'export', 'mosquitto'],
      ...[
        '--users-file',
        users,
        '--out',
        join(dir, 'mosquitto'),
        '--passwords',
        join(dir, 'handed'),
      ],
      '--issue-missing',
    ],
    { cwd: ROOT },
  );
  expect(stdout).toBe(''); // secrets go to files only
  for (const secret of passwords.values()) expect(stderr).not.toContain(secret);
  const issued = readFileSync(join(dir, 'mosquitto', 'issued-passwords'), 'utf8');
  passwords.set('ingest', /password=(\S+)/.exec(issued)![1]!);
  expect(stderr).not.toContain(passwords.get('ingest'));
}

const connect = (port: number, username: string, clientId: string, protocolVersion: 4 | 5 = 4) =>
  mqtt
    .connectAsync(`mqtt://127.0.0.1:${port}`, {
      username,
      password: passwords.get(username)!,
      clientId,
      protocolVersion,
      reconnectPeriod: 0,
    })
    .then((c) => (clients.push(c), c));

const publish = (c: MqttClient, m: Msg) =>
  c.publishAsync(m.topic, JSON.stringify(m.body), { qos: 1 });

/** mosquitto_pub, one process for one topic, each line of stdin a message (QoS 1). */
async function mosquittoPub(gw: string, list: readonly Msg[]): Promise<void> {
  requirePeer('mosquitto-clients');
  const child = spawn('mosquitto_pub', [
    ...['-V', 'mqttv311', '-h', '127.0.0.1', '-p', String(broker.gatewayPort), '-q', '1'],
    ...['-i', `takt-gw-${gw}`, '-u', gw, '-P', passwords.get(gw)!, '-t', list[0]!.topic, '-l'],
  ]);
  let errors = '';
  child.stderr.on('data', (c: Buffer) => (errors += c.toString()));
  child.stdin.end(list.map((m) => `${JSON.stringify(m.body)}\n`).join(''));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(errors).toBe('');
  expect(code).toBe(0);
}

/** Both instances stopped (their alert work done); a pool of the test's own to look. */
async function createPoolAfterStop(): Promise<pg.Pool> {
  for (const ingest of ingests.splice(0)) await ingest.stop();
  return new pg.Pool({ connectionString: databaseUrl, max: 1 });
}

/** Rows each ingest instance has written so far (`GET /api/ingest/metrics`). */
async function rowsTotals(): Promise<number[]> {
  return Promise.all(
    ingests.map(async (ingest) => {
      const response = await fetch(`${ingest.url}/api/ingest/metrics`, {
        headers: await signedIn(ingest.pool, 'admin'),
      });
      return ((await response.json()) as { writer: { rowsTotal: number } }).writer.rowsTotal;
    }),
  );
}

async function stored(machine: string) {
  const { rows } = await ingests[0]!.pool.query<{ n: string; times: string; values: number[] }>(
    `SELECT count(*) AS n, count(DISTINCT time) AS times, array_agg(value ORDER BY time) AS values
       FROM samples WHERE machine_id = $1 AND tag = 't'`,
    [machine],
  );
  return { n: Number(rows[0]!.n), times: Number(rows[0]!.times), values: rows[0]!.values ?? [] };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'takt-mosquitto-share-'));
  await exportAccounts();
  broker = await startMosquitto(dir, {
    passwordFile: join(dir, 'mosquitto', 'passwd'),
    aclFile: join(dir, 'mosquitto', 'acl'),
  });
  databaseUrl = await createTestDatabase('takt_mosquitto_share');
  for (const n of [1, 2]) {
    // One after the other: the first runs the migrations.
    const ingest = await startIngest({
      databaseUrl,
      mqtt: {
        url: `mqtt://127.0.0.1:${broker.servicePort}`,
        username: 'ingest',
        password: passwords.get('ingest'),
        clientId: `takt-ingest-${n}`,
        topics: ['$share/ingest/takt/v1/#'],
      },
      http: { host: '127.0.0.1', port: 0 },
      plantFile: plantFile(),
      batch: { maxItems: 500, maxDelayMs: 20 },
      alerts: { tickMs: 50 },
      log: pino({ level: 'silent' }),
    });
    ingests.push(ingest);
    await ingest.subscribed;
  }
  for (const n of [1, 2]) {
    const probe = await connect(broker.servicePort, 'ingest', `probe-${n}`);
    probe.on('message', (topic, payload) => {
      const body = JSON.parse(payload.toString()) as Record<string, unknown>;
      if (!topic.endsWith('/ack')) probed.push([n, topic, body]);
    });
    await probe.subscribeAsync('$share/probe/takt/v1/#', { qos: 1 });
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  for (const ingest of ingests.splice(0)) await ingest.stop();
  await broker?.stop();
});

describe('two ingest instances sharing $share/ingest/takt/v1/# on Mosquitto with exported ACLs', () => {
  const a = messagesOf('gw-a', 'm-a1');
  const b = messagesOf('gw-b', 'm-b1');

  it('stores every reading exactly once, loses none, and doubles no count or state', async () => {
    const gwA = await connect(broker.gatewayPort, 'gw-a', 'takt-gw-gw-a');
    const gwB = await connect(broker.gatewayPort, 'gw-b', 'takt-gw-gw-b');
    const bOwn = b.filter((m) => value(m) < FOREIGN_FROM);
    await Promise.all([
      (async () => {
        for (const m of a) await publish(gwA, m);
        await gwA.endAsync();
      })(),
      (async () => {
        for (const m of bOwn) await publish(gwB, m);
        await gwB.endAsync();
        await mosquittoPub('gw-b', b.slice(bOwn.length)); // metrics only, one topic
      })(),
    ]);

    for (const machine of ['m-a1', 'm-b1'])
      await waitFor(`${machine}'s readings`, async () => (await stored(machine)).n >= MESSAGES);
    const all = Array.from({ length: MESSAGES }, (_, i) => i + 1);
    for (const machine of ['m-a1', 'm-b1']) {
      const s = await stored(machine);
      expect(s).toEqual({ n: MESSAGES, times: MESSAGES, values: all });
    }

    // Both instances took part: each wrote rows of its own.
    expect((await rowsTotals()).map((n) => n > 0)).toEqual([true, true]);

    // Counts: 7 totals each 30 pieces apart; the first is the baseline (docs/wire.md).
    const pool = ingests[0]!.pool;
    const counts = await pool.query<{ machine_id: string; n: string; good: string }>(
      `SELECT machine_id, count(*) AS n, sum(good) AS good FROM counts GROUP BY machine_id ORDER BY 1`,
    );
    expect(counts.rows.map((r) => [r.machine_id, Number(r.n), Number(r.good)])).toEqual([
      ['m-a1', 7, 6 * 30],
      ['m-b1', 7, 6 * 30],
    ]);
    const states = await pool.query<{ machine_id: string; n: string }>(
      `SELECT machine_id, count(*) AS n FROM machine_states GROUP BY machine_id ORDER BY 1`,
    );
    expect(states.rows.map((r) => [r.machine_id, Number(r.n)])).toEqual([
      ['m-a1', 2],
      ['m-b1', 2],
    ]);
    const current = await pool.query<{ id: string; state: string }>(
      `SELECT id, state FROM machines WHERE id IN ('m-a1', 'm-b1') ORDER BY id`,
    );
    // The newest by edge time (60 s: idle), whichever instance stored it last.
    expect(current.rows).toEqual([
      { id: 'm-a1', state: 'idle' },
      { id: 'm-b1', state: 'idle' },
    ]);
  });

  it('hands each message to one member of a share group, each member in publish order', async () => {
    await waitFor('the probes to see everything', () => probed.length >= a.length + b.length);
    for (const [gw, list] of [
      ['gw-a', a],
      ['gw-b', b],
    ] as const) {
      const seen = probed.filter(([, topic]) => topic.includes(`/${gw}/`));
      // Exactly once across the group.
      expect(seen.map(([, , body]) => body.seq).sort((x, y) => Number(x) - Number(y))).toEqual(
        list.map((m) => m.body.seq),
      );
      for (const member of [1, 2]) {
        const seqs = seen.filter(([n]) => n === member).map(([, , body]) => Number(body.seq));
        expect(seqs.length).toBeGreaterThan(0);
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      }
    }
  });

  it('refuses a gateway publishing outside its own subtree (MQTT 3.1.1: dropped, connection kept)', async () => {
    const gwA = await connect(broker.gatewayPort, 'gw-a', 'takt-gw-gw-a');
    let reconnects = 0;
    gwA.on('connect', () => reconnects++);
    const evil = (topic: string): Msg => ({
      topic,
      body: {
        v: 1,
        seq: 9000,
        ts: T0,
        readings: [{ tag: 'evil', value: 1, ts: T0, quality: 'good' }],
      },
    });
    const outside = [
      `takt/v1/${SITE}/gw-b/m-b1/metrics`, // another gateway's subtree
      `takt/v1/${SITE}/gw-a/ack`, // written by ingest only
      `takt/v1/${SITE}/gw-a/cmd/metrics`, // a machine named cmd, inside the command tree
      `takt/v1/other-site/gw-a/m-a1/metrics`,
    ];
    // MQTT 3.1.1 has no refusal in PUBACK: Mosquitto acknowledges and drops.
    for (const topic of outside) await publish(gwA, evil(topic));
    const marker: Msg = {
      topic: `takt/v1/${SITE}/gw-a/m-a1/metrics`,
      body: {
        v: 1,
        seq: 9001,
        ts: T0 + 500,
        readings: [{ tag: 'marker', value: 1, ts: T0 + 500, quality: 'good' }],
      },
    };
    await publish(gwA, marker);
    const pool = ingests[0]!.pool;
    await waitFor('the marker', async () => {
      const { rows } = await pool.query(`SELECT 1 FROM samples WHERE tag = 'marker'`);
      return rows.length > 0;
    });
    await waitFor('the probes to see the marker', () =>
      probed.some(([, , body]) => body.seq === 9001),
    );
    const { rows } = await pool.query(`SELECT machine_id FROM samples WHERE tag = 'evil'`);
    expect(rows).toEqual([]);
    expect(probed.filter(([, , body]) => body.seq === 9000)).toEqual([]);
    expect(gwA.connected).toBe(true);
    expect(reconnects).toBe(0);
    const denied = broker
      .log()
      .split('\n')
      .filter((line) => line.includes('Denied PUBLISH'));
    expect(denied.map((line) => /from (\S+) .*'([^']+)'/.exec(line)?.slice(1))).toEqual(
      outside.map((topic) => ['gw-a', topic]),
    );
    await gwA.endAsync();
  });

  it('refuses it over MQTT 5 with reason code 135 (not authorized) in the PUBACK', async () => {
    const gwA = await connect(broker.gatewayPort, 'gw-a', 'takt-gw-gw-a', 5);
    const refused = await gwA
      .publishAsync(`takt/v1/${SITE}/gw-b/m-b1/metrics`, '{}', { qos: 1 })
      .then(
        () => undefined,
        (error: Error & { code?: number }) => error,
      );
    expect(refused?.code).toBe(135);
    await gwA.endAsync();
  });
  it('opens and clears an alert once, though both instances judge the rule', async () => {
    const gwA = await connect(broker.gatewayPort, 'gw-a', 'takt-gw-gw-a');
    let seq = 10_000;
    const reading = (value: number, i: number): Msg => {
      const ts = T0 + 200_000 + i * 1000;
      return {
        topic: `takt/v1/${SITE}/gw-a/m-a1/metrics`,
        body: { v: 1, seq: ++seq, ts, readings: [{ tag: 'hot', value, ts, quality: 'good' }] },
      };
    };
    const hot = Array.from({ length: 10 }, (_, i) => reading(60, i));
    const cool = Array.from({ length: 10 }, (_, i) => reading(40, 10 + i));
    const before = await rowsTotals();
    // In one burst, so that no acknowledgement (which the group also shares out) falls between
    // them: round robin gives each instance some of the hot readings.
    await Promise.all(hot.map((m) => publish(gwA, m)));
    const pool = ingests[0]!.pool;
    await waitFor('the hot readings', async () => {
      const { rows } = await pool.query(`SELECT 1 FROM samples WHERE tag = 'hot'`);
      return rows.length === hot.length;
    });
    const after = await rowsTotals();
    // Each instance stored some of them: both judged the rule open.
    expect(after.map((n, i) => n > before[i]!)).toEqual([true, true]);
    await waitFor('the alert', async () => {
      const { rows } = await pool.query(`SELECT 1 FROM alerts WHERE status = 'open'`);
      return rows.length > 0;
    });
    await Promise.all(cool.map((m) => publish(gwA, m)));
    await waitFor('the alert to clear', async () => {
      const { rows } = await pool.query(`SELECT 1 FROM alerts WHERE status = 'cleared'`);
      return rows.length > 0;
    });
    await gwA.endAsync();
    // Stopping waits for each instance's alert work: whatever it was to write is written.
    const db = await createPoolAfterStop();
    try {
      const { rows } = await db.query<{ kind: string; n: string }>(
        `SELECT kind, count(*) AS n FROM alert_events GROUP BY kind ORDER BY kind`,
      );
      expect(rows.map((r) => [r.kind, Number(r.n)])).toEqual([
        ['cleared', 1],
        ['opened', 1],
      ]);
      const alerts = await db.query(`SELECT status FROM alerts`);
      expect(alerts.rows).toEqual([{ status: 'cleared' }]);
    } finally {
      await db.end();
    }
  });
});
