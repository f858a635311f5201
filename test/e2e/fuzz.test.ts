import { startBroker, type RunningBroker } from '@takt/broker';
import { startIngest, type RunningIngest } from '@takt/ingest';
import { encodePayload, topics } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/db';
import { testLog } from '../helpers/logger';
import { waitFor } from '../helpers/wait';

/**
 * Issue 4, bad input: 10,000+ generated bad messages through the broker while a good stream
 * flows. Ingest must keep going, put each bad one in dead_letters with a reason, and store
 * the good stream complete. Deterministic (seeded), so a failure can be replayed.
 */
let broker: RunningBroker;
let ingest: RunningIngest;
let url: string;

beforeAll(async () => {
  broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    users: [],
    allowAnonymous: true,
    log: testLog,
  });
  url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await startIngest({
    databaseUrl: await createTestDatabase(),
    mqtt: { url, clientId: 'ingest-fuzz' },
    http: { host: '127.0.0.1', port: 0 },
    batch: { maxItems: 2000, maxDelayMs: 50 },
    log: testLog,
  });
  await ingest.subscribed;
}, 30_000);
afterAll(async () => {
  await ingest?.stop();
  await broker?.stop();
});

/** mulberry32: a small seeded generator. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SITE = 'fuzz';
const GOOD_GW = 'gw-good';
const BAD_GW = 'gw-bad';
const metricsTopic = (gw: string, machine = 'fz-m1') =>
  topics.machine(SITE, gw, machine, 'metrics');

/** One bad message: [topic, payload]. Each kind is something a broken or hostile client sends. */
function badMessage(i: number, r: () => number): [string, Buffer | string] {
  const ts = Date.now();
  const good = {
    v: 1,
    seq: 1_000_000 + i,
    ts,
    readings: [{ tag: 't', value: 1, ts, quality: 'good' }],
  };
  const kinds: (() => [string, Buffer | string])[] = [
    () => [metricsTopic(BAD_GW), `{"v":1,"seq":${i},`], // truncated JSON
    () => [metricsTopic(BAD_GW), Buffer.from([0xff, 0xfe, 0x00, Math.floor(r() * 255)])], // not UTF-8
    () => [metricsTopic(BAD_GW), JSON.stringify({ ...good, seq: 'seven' })], // wrong type
    () => [metricsTopic(BAD_GW), JSON.stringify({ ...good, readings: undefined })], // missing field
    () => [metricsTopic(BAD_GW), JSON.stringify({ ...good, v: 2 })], // unknown version
    () => [metricsTopic(BAD_GW), JSON.stringify({ ...good, seq: -1 - i })], // negative seq
    () => [metricsTopic(BAD_GW), JSON.stringify({ ...good, ts: -r() * 1e12 })], // before 1970
    () => [metricsTopic(BAD_GW), JSON.stringify({ ...good, ts: 9e15 + r() * 1e15 })], // past year 275760
    () => [
      metricsTopic(BAD_GW),
      JSON.stringify({ ...good, readings: [{ tag: 't', value: 'x\u0000y', ts, quality: 'good' }] }),
    ], // NUL in text
    () => [metricsTopic(BAD_GW), JSON.stringify({ ...good, readings: [] })], // empty batch
    () => [`takt/v1/${SITE}/${BAD_GW}/fz-m1/telemetry`, JSON.stringify(good)], // unknown kind
    () => [`takt/v1/${SITE}/${BAD_GW}/a/b/c/metrics`, JSON.stringify(good)], // too deep
    () => [`takt/v1/${SITE}/bad gw/fz-m1/metrics`, JSON.stringify(good)], // bad id
    () => [
      topics.machine(SITE, BAD_GW, 'fz-m1', 'count'),
      JSON.stringify({ ...good, good: -5, reject: 0 }),
    ],
    () => [metricsTopic(BAD_GW), 'null'],
    () => [metricsTopic(BAD_GW), JSON.stringify([good])],
  ];
  return kinds[i % kinds.length]!();
}

async function publishAll(client: MqttClient, messages: [string, Buffer | string][]) {
  // Bounded in flight: the test's own memory and the broker's stay small.
  for (let i = 0; i < messages.length; i += 500) {
    await Promise.all(
      messages
        .slice(i, i + 500)
        .map(([topic, payload]) => client.publishAsync(topic, payload, { qos: 1 })),
    );
  }
}

describe('fuzz: bad messages while good data flows', () => {
  it('dead-letters every bad message with a reason and stores the good stream complete', async () => {
    const BAD = 10_400;
    const GOOD = 2000;
    const HUGE = 4;
    const r = rng(4);
    const bad = Array.from({ length: BAD }, (_, i) => badMessage(i, r));
    // Over the broker's packet limit (256 kB by default, issue 9): refused by the broker, which
    // closes the sender's connection; they never reach ingest. Sent on their own connections.
    const huge = Array.from(
      { length: HUGE },
      (_, i) => [metricsTopic(BAD_GW), 'x'.repeat(1024 * 1024 + 1 + i)] as [string, string],
    );
    const good: [string, string][] = Array.from({ length: GOOD }, (_, i) => {
      const ts = Date.now() - (GOOD - i) * 10;
      return [
        metricsTopic(GOOD_GW),
        encodePayload('metrics', {
          v: 1,
          seq: 5000 + i,
          ts,
          readings: [{ tag: 'ok', value: i, ts, quality: 'good' }],
        }),
      ];
    });
    // Replays of good seqs with other content ("seq going backwards"): dropped as duplicates.
    const replays: [string, string][] = Array.from({ length: 200 }, (_, i) => {
      const ts = Date.now();
      return [
        metricsTopic(GOOD_GW),
        encodePayload('metrics', {
          v: 1,
          seq: 5000 + i,
          ts,
          readings: [{ tag: 'ok', value: -1, ts, quality: 'good' }],
        }),
      ];
    });
    const fuzzer = await mqtt.connectAsync(url, { clientId: 'fuzzer' });
    const gateway = await mqtt.connectAsync(url, { clientId: 'fuzz-good-gw' });
    await Promise.all([
      publishAll(fuzzer, bad),
      (async () => {
        await publishAll(gateway, good.slice(0, GOOD / 2));
        await publishAll(gateway, good.slice(GOOD / 2));
        // After the originals are stored, the replays arrive.
        await waitFor(
          'the good stream',
          async () => {
            const { rows } = await ingest.pool.query<{ n: string }>(
              `SELECT count(*) AS n FROM received_messages WHERE gateway_id = $1`,
              [GOOD_GW],
            );
            return Number(rows[0]!.n) === GOOD ? true : undefined;
          },
          60_000,
        );
        await publishAll(gateway, replays);
      })(),
    ]);
    await fuzzer.endAsync();
    await gateway.endAsync();
    let refusedBySize = 0;
    for (const [topic, payload] of huge) {
      const sender = await mqtt.connectAsync(url, { clientId: 'fuzz-huge', reconnectPeriod: 0 });
      const closed = new Promise<void>((resolve) => sender.once('close', () => resolve()));
      sender.publish(topic, payload, { qos: 1 }, () => undefined);
      await closed;
      refusedBySize++;
      sender.end(true);
    }
    expect(refusedBySize).toBe(HUGE);

    const dead = await waitFor(
      'every bad message in dead_letters',
      async () => {
        const { rows } = await ingest.pool.query<{ n: string; no_reason: string }>(
          `SELECT count(*) AS n, count(*) FILTER (WHERE reason = '') AS no_reason FROM dead_letters`,
        );
        return Number(rows[0]!.n) >= bad.length ? rows[0]! : undefined;
      },
      60_000,
    );
    expect(Number(dead.n)).toBe(bad.length);
    expect(dead.no_reason).toBe('0');
    const { rows: reasons } = await ingest.pool.query<{ reason: string }>(
      `SELECT DISTINCT split_part(reason, ':', 1) AS reason FROM dead_letters ORDER BY 1`,
    );
    expect(reasons.length).toBeGreaterThan(3); // told apart, not one catch-all
    // The good stream: every message once, the values of the originals (replays dropped).
    const { rows } = await ingest.pool.query<{ n: string; sum: string; min: number }>(
      `SELECT count(*) AS n, sum(value) AS sum, min(value) AS min FROM samples WHERE machine_id = 'fz-m1' AND tag = 'ok'`,
    );
    expect(Number(rows[0]!.n)).toBe(GOOD);
    expect(Number(rows[0]!.sum)).toBe((GOOD * (GOOD - 1)) / 2);
    expect(rows[0]!.min).toBe(0);
    // Nothing from the bad gateway got into the time series.
    const { rows: leaked } = await ingest.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM received_messages WHERE gateway_id = $1`,
      [BAD_GW],
    );
    expect(leaked[0]!.n).toBe('0');
    // Ingest is still up and answering.
    expect((await fetch(`${ingest.url}/api/health`)).status).toBe(200);
    const { rows: oversized } = await ingest.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM dead_letters WHERE length(payload) > 1000000`,
    );
    expect(oversized[0]!.n).toBe('0'); // the broker kept them out
  }, 120_000);
});
