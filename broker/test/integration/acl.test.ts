import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, startBroker, type BrokerUser, type RunningBroker } from '../../src';
import { closed, collect, connect, waitUntil } from '../helpers/clients';

/**
 * Every ACL case through a real broker and real MQTT clients. "Never reaches a subscriber"
 * is shown with a sentinel: after the refused attempt, an allowed message is sent; once the
 * watchers have it, the refused one would have been delivered before it (one broker, in order).
 */
const log = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const PW = 'pw-for-tests';
let broker: RunningBroker;
let url: string;
const open: MqttClient[] = [];
let ingest: MqttClient;
let admin: MqttClient;
let seenByIngest: { topic: string; payload: string }[];
let seenByAdmin: { topic: string; payload: string }[];

const gateway = (id: string): BrokerUser => ({
  username: id,
  passwordHash: '',
  role: 'gateway',
  site: 's1',
  gatewayId: id,
});

async function client(username: string, extra: Parameters<typeof connect>[1] = {}) {
  const c = await connect(url, {
    clientId: username.startsWith('gw-') ? `takt-gw-${username}/${Math.random()}` : undefined,
    username,
    password: PW,
    ...extra,
  });
  open.push(c);
  return c;
}

/** Sends an allowed message from gw-b and waits until both watchers have it. */
async function sentinel(): Promise<void> {
  const gwB = await client('gw-b');
  const marker = `sentinel-${Math.random()}`;
  await gwB.publishAsync('takt/v1/s1/gw-b/status', marker, { qos: 1 });
  await waitUntil('the sentinel', () =>
    [seenByIngest, seenByAdmin].every((seen) => seen.some((m) => m.payload === marker)),
  );
}

const leaked = (payload: string) =>
  [...seenByIngest, ...seenByAdmin].filter((m) => m.payload === payload);

beforeAll(async () => {
  const passwordHash = await hashPassword(PW);
  broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    users: [
      gateway('gw-a'),
      gateway('gw-b'),
      { username: 'ingest', passwordHash, role: 'ingest' },
      { username: 'root', passwordHash, role: 'admin' },
    ].map((u) => ({ ...u, passwordHash })) as BrokerUser[],
    log,
  });
  url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await connect(url, { username: 'ingest', password: PW });
  admin = await connect(url, { username: 'root', password: PW });
  seenByIngest = collect(ingest);
  seenByAdmin = collect(admin);
  await ingest.subscribeAsync('takt/v1/#', { qos: 1 });
  await admin.subscribeAsync(['#', '$SYS/#'], { qos: 1 });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.endAsync(true)));
});
afterAll(async () => {
  await Promise.all([ingest.endAsync(), admin.endAsync()]);
  await broker.stop();
});

describe('a gateway publishing', () => {
  it('reaches ingest in its own subtree', async () => {
    const gwA = await client('gw-a');
    await gwA.publishAsync('takt/v1/s1/gw-a/press-1/metrics', 'own-data', { qos: 1 });
    await waitUntil('own data at ingest', () => seenByIngest.some((m) => m.payload === 'own-data'));
  });

  it.each([
    ['into another gateway’s subtree', 'takt/v1/s1/gw-b/press-1/count'],
    ['another gateway’s status', 'takt/v1/s1/gw-b/status'],
    ['its own ack topic (ingest’s to write)', 'takt/v1/s1/gw-a/ack'],
    ['a command to itself', 'takt/v1/s1/gw-a/cmd/reload'],
    ['to $SYS', '$SYS/broker/fake'],
    ['outside the namespace', 'office/printer'],
  ])('%s is refused: disconnected, the message reaches no one', async (_case, topic) => {
    const gwA = await client('gw-a');
    const payload = `forbidden-${Math.random()}`;
    gwA.publish(topic, payload, { qos: 1 });
    await closed(gwA);
    await sentinel();
    expect(leaked(payload)).toEqual([]);
  });
});

describe('a gateway subscribing', () => {
  it.each(['#', 'takt/v1/#', 'takt/v1/s1/+/ack', 'takt/v1/s1/gw-a/#', '$SYS/#'])(
    'to %s is refused (SUBACK 0x80)',
    async (filter) => {
      const gwA = await client('gw-a');
      // mqtt.js turns a SUBACK return code 0x80 into this error
      await expect(gwA.subscribeAsync(filter, { qos: 1 })).rejects.toThrow(/Subscribe error/);
    },
  );

  it('cannot read another gateway’s retained messages', async () => {
    const gwB = await client('gw-b');
    await gwB.publishAsync('takt/v1/s1/gw-b/status', 'retained-b', { qos: 1, retain: true });
    const gwA = await client('gw-a');
    const seenByA = collect(gwA);
    await expect(gwA.subscribeAsync('takt/v1/s1/gw-b/status', { qos: 1 })).rejects.toThrow(
      /Subscribe error/,
    );
    // A retained message would arrive right after the SUBACK; give it a round trip.
    await gwA.subscribeAsync('takt/v1/s1/gw-a/ack', { qos: 1 });
    await gwA.publishAsync('takt/v1/s1/gw-a/status', 'ping', { qos: 1 });
    expect(seenByA).toEqual([]);
  });

  it('gets its own acknowledgements and commands from ingest, and not another’s', async () => {
    const gwA = await client('gw-a');
    const seenByA = collect(gwA);
    await gwA.subscribeAsync(['takt/v1/s1/gw-a/ack', 'takt/v1/s1/gw-a/cmd/#'], { qos: 1 });
    await ingest.publishAsync('takt/v1/s1/gw-b/ack', 'ack-for-b', { qos: 1 });
    await ingest.publishAsync('takt/v1/s1/gw-a/ack', 'ack-for-a', { qos: 1 });
    await ingest.publishAsync('takt/v1/s1/gw-a/cmd/reload', 'cmd-for-a', { qos: 1 });
    await waitUntil('a’s ack and command', () => seenByA.length >= 2);
    expect(seenByA.map((m) => m.payload)).toEqual(['ack-for-a', 'cmd-for-a']);
  });
});

describe('a gateway’s last will', () => {
  it('on a foreign topic is refused at CONNECT (CONNACK 5) and never published', async () => {
    const payload = `will-${Math.random()}`;
    await expect(
      client('gw-a', {
        will: {
          topic: 'takt/v1/s1/gw-b/status',
          payload: Buffer.from(payload),
          qos: 1,
          retain: true,
        },
      }),
    ).rejects.toThrow(/Not authorized/i);
    await sentinel();
    expect(leaked(payload)).toEqual([]);
  });

  it('on its own status is accepted and published when the gateway drops', async () => {
    const gwA = await client('gw-a', {
      will: {
        topic: 'takt/v1/s1/gw-a/status',
        payload: Buffer.from('offline-a'),
        qos: 1,
        retain: false,
      },
    });
    (gwA.stream as { destroy(): void }).destroy(); // no DISCONNECT: the will goes out
    await waitUntil('the will at ingest', () =>
      seenByIngest.some((m) => m.payload === 'offline-a'),
    );
  });
});

describe('ingest and admin', () => {
  it('ingest cannot publish data as if it were a gateway', async () => {
    const rogue = await connect(url, { username: 'ingest', password: PW });
    open.push(rogue);
    rogue.publish('takt/v1/s1/gw-a/press-1/count', 'fake-count', { qos: 1 });
    await closed(rogue);
    await sentinel();
    expect(leaked('fake-count')).toEqual([]);
  });

  it('admin cannot publish to $SYS either', async () => {
    const root = await connect(url, { username: 'root', password: PW });
    open.push(root);
    root.publish('$SYS/fake', 'fake-sys', { qos: 1 });
    await closed(root);
    await sentinel();
    expect(leaked('fake-sys')).toEqual([]);
  });
});
