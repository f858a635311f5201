import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { newClient } from 'sparkplug-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, startBroker, type BrokerUser, type RunningBroker } from '../../src';
import { closed, collect, connect, waitUntil } from '../helpers/clients';

/**
 * A Sparkplug B edge node Takt did not write (Eclipse Tahu's `sparkplug-client`) through the
 * broker with its own `sparkplug-node` account: its subscriptions, its will (NDEATH) and its
 * births pass the ACL, ingest's NCMD reaches it, and it cannot speak for another node.
 */
const log = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const PW = 'pw-for-tests';
let broker: RunningBroker;
let url: string;
let ingest: MqttClient;
let seenByIngest: { topic: string; payload: string }[];
type SparkplugClient = ReturnType<typeof newClient>;
let tahu: SparkplugClient;

/** Tahu's mqtt client, to wait for its SUBACKs (it subscribes without telling). */
const mqttOf = (client: SparkplugClient) => (client as unknown as { client: MqttClient }).client;

beforeAll(async () => {
  const passwordHash = await hashPassword(PW);
  const users: BrokerUser[] = [
    { username: 'line-1', passwordHash, role: 'sparkplug-node', group: 'Plant', node: 'Edge1' },
    { username: 'line-2', passwordHash, role: 'sparkplug-node', group: 'Plant', node: 'Edge2' },
    { username: 'ingest', passwordHash, role: 'ingest' },
  ];
  broker = await startBroker({ host: '127.0.0.1', port: 0, users, log });
  url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await connect(url, { username: 'ingest', password: PW });
  seenByIngest = collect(ingest);
  await ingest.subscribeAsync('spBv1.0/Plant/#', { qos: 1 });
});
afterAll(async () => {
  tahu?.stop();
  await ingest.endAsync();
  await broker.stop();
});

describe('a Sparkplug node account', () => {
  it('lets Eclipse Tahu’s client connect, subscribe, publish its births and get NCMD', async () => {
    tahu = newClient({
      serverUrl: url,
      username: 'line-1',
      password: PW,
      groupId: 'Plant',
      edgeNode: 'Edge1',
      clientId: 'tahu-edge-1',
      publishDeath: true,
    });
    const subacks: number[][] = [];
    mqttOf(tahu).on('packetreceive', (packet) => {
      if (packet.cmd === 'suback') subacks.push(packet.granted as number[]);
    });
    tahu.on('birth', () => {
      tahu.publishNodeBirth({ timestamp: Date.now(), metrics: [] });
      tahu.publishDeviceBirth('press-1', {
        timestamp: Date.now(),
        metrics: [{ name: 'speed', type: 'Int32', value: 7 }],
      });
    });
    const commands: unknown[] = [];
    tahu.on('ncmd', (payload) => commands.push(payload));

    await waitUntil('both SUBACKs', () => subacks.length === 2);
    expect(subacks.flat()).toEqual([0, 0]); // granted, not 0x80
    await waitUntil('the births at ingest', () =>
      ['spBv1.0/Plant/NBIRTH/Edge1', 'spBv1.0/Plant/DBIRTH/Edge1/press-1'].every((t) =>
        seenByIngest.some((m) => m.topic === t),
      ),
    );
    await ingest.publishAsync('spBv1.0/Plant/NCMD/Edge1', Buffer.from([]), { qos: 0 });
    await waitUntil('the NCMD at the node', () => commands.length === 1);
  });

  it('is disconnected for publishing another node’s data, which reaches no one', async () => {
    const rogue = await connect(url, { username: 'line-1', password: PW, clientId: 'rogue' });
    rogue.publish('spBv1.0/Plant/NDATA/Edge2', 'forged', { qos: 1 });
    await closed(rogue);
    // A marker from the rightful node after the refused one: once ingest has it, the
    // forged message would have arrived before it.
    const edge2 = await connect(url, { username: 'line-2', password: PW });
    await edge2.publishAsync('spBv1.0/Plant/NDATA/Edge2', 'marker', { qos: 1 });
    await waitUntil('the marker', () => seenByIngest.some((m) => m.payload === 'marker'));
    expect(seenByIngest.filter((m) => m.payload === 'forged')).toEqual([]);
    await edge2.endAsync();
  });

  it('may not name another node’s NDEATH as its will (CONNACK 5)', async () => {
    await expect(
      connect(url, {
        username: 'line-1',
        password: PW,
        will: {
          topic: 'spBv1.0/Plant/NDEATH/Edge2',
          payload: Buffer.from('x'),
          qos: 0,
          retain: false,
        },
      }),
    ).rejects.toThrow(/Not authorized/i);
  });
});
