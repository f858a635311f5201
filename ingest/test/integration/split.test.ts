import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics } from '@takt/protocol';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { createTestDatabase } from '../helpers/test-db';

/**
 * Two ingest instances on one database split the plant by subtree (mqtt.topics), as on a
 * broker without shared subscriptions (aedes): each message is stored once, by its instance.
 */
const log = pino({ level: 'silent' });
let broker: RunningBroker;
const instances: RunningIngest[] = [];

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const databaseUrl = await createTestDatabase('takt_split');
  for (const site of ['plant-1', 'plant-2']) {
    const ingest = await startIngest({
      databaseUrl,
      mqtt: { url, clientId: `ingest-${site}`, topics: [`takt/v1/${site}/#`] },
      http: { host: '127.0.0.1', port: 0 },
      batch: { maxItems: 100, maxDelayMs: 20 },
      log,
    });
    await ingest.subscribed;
    instances.push(ingest);
  }
});
afterAll(async () => {
  for (const ingest of instances) await ingest.stop();
  await broker.stop();
});

describe('ingest split by subtree', () => {
  it('stores each site’s messages once, through the instance subscribed to it', async () => {
    const gw = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`);
    for (const [site, gateway] of [
      ['plant-3', 'gw-3'], // no instance subscribes to plant-3: never stored
      ['plant-1', 'gw-1'],
      ['plant-2', 'gw-2'],
    ] as const) {
      for (let seq = 1; seq <= 5; seq++) {
        const payload = encodePayload('metrics', {
          v: 1,
          seq,
          ts: Date.now(),
          readings: [{ tag: 't', value: seq, ts: Date.now(), quality: 'good' }],
        });
        // Machine ids are plant-wide: each gateway has its own (docs/decisions.md "Issue 18 — machines bound to gateways; OPC UA trust").
        await gw.publishAsync(topics.machine(site, gateway, `m-${gateway}`, 'metrics'), payload, {
          qos: 1,
        });
      }
    }
    await gw.endAsync();
    const pool = instances[0]!.pool;
    const deadline = Date.now() + 10_000;
    let rows: { gateway_id: string; n: string }[] = [];
    while (Date.now() < deadline) {
      ({ rows } = await pool.query<{ gateway_id: string; n: string }>(
        'SELECT gateway_id, count(*) AS n FROM received_messages GROUP BY gateway_id ORDER BY 1',
      ));
      if (rows.length >= 2 && rows.every((r) => r.n === '5')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 300)); // anything late would be in by now
    ({ rows } = await pool.query<{ gateway_id: string; n: string }>(
      'SELECT gateway_id, count(*) AS n FROM received_messages GROUP BY gateway_id ORDER BY 1',
    ));
    expect(rows).toEqual([
      { gateway_id: 'gw-1', n: '5' },
      { gateway_id: 'gw-2', n: '5' },
    ]);
    const { rows: samples } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM samples');
    expect(samples[0]!.n).toBe('10'); // each reading once, not once per instance
  });
});
