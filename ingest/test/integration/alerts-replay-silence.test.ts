import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startIngest, type RunningIngest } from '../../src';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';
import { waitFor } from '../helpers/wait';

/*
 * Silence is judged by arrival (docs/decisions.md "Issues 19/20 — silence judged by arrival;
 * live order changes"): a day of old readings replayed at full speed (a gateway's disk queue,
 * the demo's history fill) opens no "no data" alert while it keeps arriving; a machine that
 * truly goes silent still gets one, and so does the replayed machine once it stops. Ingest's
 * clock is the test's: it moves only when the test moves it.
 */
const log = pino({ level: 'silent' });
const HOUR = 3_600_000;
const FOR_S = 60;
const STEP_MS = 20_000; // ingest's clock per replayed message: well inside FOR_S

let broker: RunningBroker;
let ingest: RunningIngest;
let gw: MqttClient;
let admin: Record<string, string>;
const T0 = Math.floor(Date.now() / 1000) * 1000;
let clock = T0;
let seq = 1;

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  const plant = {
    site: { id: 's', name: 'Hall 1', timeZone: 'Asia/Shanghai' },
    lines: [
      {
        id: 'l',
        name: 'L',
        machines: [
          { id: 'm-replay', name: 'Replayed' },
          { id: 'm-silent', name: 'Silent' },
        ],
      },
    ],
    alerts: {
      rules: [{ id: 'silent', kind: 'no-data', machines: ['m-replay', 'm-silent'], forS: FOR_S }],
    },
  };
  const plantFile = join(mkdtempSync(join(tmpdir(), 'takt-replay-silence-')), 'plant.yaml');
  writeFileSync(plantFile, stringify(plant));
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_replay_silence'),
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'ingest-replay-silence' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile,
    batch: { maxItems: 100, maxDelayMs: 10 },
    alerts: { tickMs: 20, now: () => clock },
    log,
  });
  admin = await signedIn(ingest.pool, 'admin');
  await ingest.subscribed;
  gw = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`);
});

afterAll(async () => {
  await gw?.endAsync();
  await ingest?.stop();
  await broker?.stop();
});

/** Readings of `machine`, one a minute from `from` for an hour (the fill's thinning). */
async function publishHour(machine: string, from: number, minutes = 60) {
  const readings = Array.from({ length: minutes }, (_, i) => ({
    tag: 'temperature',
    value: 40 + (i % 5),
    ts: from + i * 60_000,
    quality: 'good' as const,
  }));
  const payload = encodePayload('metrics', { v: 1, seq: seq++, ts: from, readings });
  await gw.publishAsync(topics.machine('s', 'gw-1', machine, 'metrics'), payload, { qos: 1 });
}

/** Stored, and seen by every post-commit consumer (the alerts among them). */
async function settled(machine: string, readings: number) {
  await waitFor(
    `${readings} readings of ${machine}`,
    async () => {
      const { rows } = await ingest.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM samples WHERE machine_id = $1',
        [machine],
      );
      return rows[0]!.n >= readings ? true : undefined;
    },
    20_000,
  );
  await waitFor(
    'the consumers',
    async () => {
      const response = await fetch(`${ingest.url}/api/ingest/metrics`, { headers: admin });
      const { consumers } = (await response.json()) as {
        consumers: Record<string, { pending: number }>;
      };
      return Object.values(consumers).every((c) => c.pending === 0) ? true : undefined;
    },
    20_000,
  );
}

async function alerts() {
  const { rows } = await ingest.pool.query<{
    subject: string;
    status: string;
    opened_at: Date;
  }>(`SELECT subject, status, opened_at FROM alerts WHERE rule_id = 'silent' ORDER BY id`);
  return rows;
}

describe('no data, judged by arrival', () => {
  let lastArrival = 0;

  it('a day replayed at full speed opens no alert; a machine that says nothing gets one', async () => {
    // m-silent is heard once, live, then says nothing.
    await publishHour('m-silent', T0, 1);
    await settled('m-silent', 1);
    // m-replay's last day (ending an hour ago), an hour a message, ingest's clock moving on.
    const dayAgo = T0 - 25 * HOUR;
    for (let h = 0; h < 24; h++) {
      await publishHour('m-replay', dayAgo + h * HOUR);
      await settled('m-replay', (h + 1) * 60);
      lastArrival = clock;
      clock += STEP_MS;
    }
    expect(clock - T0).toBeGreaterThan(FOR_S * 1000 * 5);
    // The clock has passed m-silent's silence many times over: its alert opens.
    const silent = await waitFor(
      'm-silent alert',
      async () => {
        const rows = await alerts();
        return rows.find((a) => a.subject === 'm-silent');
      },
      20_000,
    );
    expect(silent.status).toBe('open');
    expect(silent.opened_at.getTime()).toBeGreaterThanOrEqual(T0 + FOR_S * 1000);
    // The ticks that opened it saw m-replay's day of old readings: it was never silent.
    expect((await alerts()).filter((a) => a.subject === 'm-replay')).toEqual([]);
  });

  it('the replayed machine, once nothing more arrives, is silent like any other', async () => {
    clock = lastArrival + FOR_S * 1000 + 1000;
    const replay = await waitFor(
      'm-replay alert',
      async () => {
        const rows = await alerts();
        return rows.find((a) => a.subject === 'm-replay');
      },
      20_000,
    );
    expect(replay.status).toBe('open');
    expect(replay.opened_at.getTime()).toBeGreaterThanOrEqual(lastArrival + FOR_S * 1000);
    // Old data arriving again is data: the alert clears on its arrival.
    await publishHour('m-replay', T0 - 2 * HOUR + 30_000, 5);
    await waitFor(
      'm-replay cleared',
      async () => {
        const rows = await alerts();
        return rows.find((a) => a.subject === 'm-replay' && a.status === 'cleared');
      },
      20_000,
    );
    expect(
      (await alerts()).filter((a) => a.subject === 'm-replay' && a.status !== 'cleared'),
    ).toEqual([]);
  });
});
