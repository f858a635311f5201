import { join } from 'node:path';
import { hashPassword, startBroker, type RunningBroker } from '@takt/broker';
import type { MachineSnapshot } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { newClient } from 'sparkplug-client';
import { get as sparkplugPayload } from 'sparkplug-payload';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';
import { waitFor } from '../helpers/wait';

/*
 * Sparkplug B in (docs/decisions.md "Issue 24 — Sparkplug B in") through the real broker and
 * PostgreSQL. Edge1 is Eclipse Tahu's JavaScript edge node (`sparkplug-client`, a client Takt
 * did not write) with its own `sparkplug-node` account; Edge2 is a plain MQTT client encoding
 * with `sparkplug-payload`, for the faults Tahu's client does not make (a bad payload, a seq
 * jump, an alias never born, a stale NDEATH).
 */
const codec = sparkplugPayload('spBv1.0')!;
const PW = { edge1: 'edge-pass-1', edge2: 'edge-pass-2', ingest: 'ingest-pass-3' };
type Tahu = ReturnType<typeof newClient>;
type Metric = { name?: string; alias?: number; type: string; value: unknown };

let broker: RunningBroker;
let ingest: RunningIngest;
let url: string;
let tahu: Tahu;
let edge2: MqttClient;
const edge2Commands: { topic: string; metrics: Metric[] }[] = [];

async function machine(id: string): Promise<MachineSnapshot> {
  const response = await fetch(`${ingest.url}/api/machines`, {
    headers: await signedIn(ingest.pool, 'admin'),
  });
  const all = (await response.json()) as MachineSnapshot[];
  return all.find((m) => m.id === id)!;
}

const deadLetter = (topic: string, reason: RegExp) =>
  waitFor(`a dead letter on ${topic} matching ${reason}`, async () => {
    const { rows } = await ingest.pool.query<{ reason: string }>(
      'SELECT reason FROM dead_letters WHERE topic = $1 ORDER BY id',
      [topic],
    );
    return rows.find((r) => reason.test(r.reason));
  });

/** machine_values holds each tag's newest value: undefined when none was stored. */
async function storedValue(machineId: string, tag: string): Promise<number | undefined> {
  const { rows } = await ingest.pool.query<{ value: number }>(
    'SELECT value FROM machine_values WHERE machine_id = $1 AND tag = $2',
    [machineId, tag],
  );
  return rows[0]?.value;
}

/** Every sample of a tag ever stored (samples is the history, machine_values only the newest). */
async function samples(machineId: string, tag: string): Promise<number[]> {
  const { rows } = await ingest.pool.query<{ value: number }>(
    'SELECT value FROM samples WHERE machine_id = $1 AND tag = $2 ORDER BY time',
    [machineId, tag],
  );
  return rows.map((r) => r.value);
}

let edge2Seq = 0;
let edge2Ts = 0;

function publishEdge2(
  type: string,
  metrics: Metric[],
  options: { seq?: number; device?: string | false } = {},
) {
  const seq = options.seq ?? edge2Seq;
  edge2Seq = (seq + 1) % 256;
  const topic =
    options.device === false
      ? `spBv1.0/Plant/${type}/Edge2`
      : `spBv1.0/Plant/${type}/Edge2/${options.device ?? 'press-2'}`;
  // A value is identified by (node, metric, timestamp) (ingest/src/sparkplug/mapping.ts): two
  // messages in one millisecond would be one value, so each gets a later time than the last.
  edge2Ts = Math.max(Date.now(), edge2Ts + 1);
  const payload = codec.encodePayload({ timestamp: edge2Ts, seq, metrics: metrics as never });
  return edge2.publishAsync(topic, Buffer.from(payload), { qos: 1 }).then(() => topic);
}

async function birthEdge2(bdSeq: number, temperature: number): Promise<void> {
  edge2Seq = 0;
  await publishEdge2('NBIRTH', [{ name: 'bdSeq', type: 'UInt64', value: bdSeq }], {
    device: false,
  });
  await publishEdge2('DBIRTH', [
    { name: 'Temperature', alias: 1, type: 'Double', value: temperature },
  ]);
  await waitFor(
    'the DBIRTH value',
    async () => (await storedValue('press-2', 'temperature')) === temperature,
  );
}

const rebirthsOf = (commands: { metrics: Metric[] }[]) =>
  commands.filter((c) =>
    c.metrics.some((m) => m.name === 'Node Control/Rebirth' && m.value === true),
  ).length;

beforeAll(async () => {
  const log = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
  broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    users: [
      {
        username: 'edge1',
        passwordHash: await hashPassword(PW.edge1),
        role: 'sparkplug-node',
        group: 'Plant',
        node: 'Edge1',
      },
      {
        username: 'edge2',
        passwordHash: await hashPassword(PW.edge2),
        role: 'sparkplug-node',
        group: 'Plant',
        node: 'Edge2',
      },
      { username: 'ingest', passwordHash: await hashPassword(PW.ingest), role: 'ingest' },
    ],
    log,
  });
  url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_sparkplug'),
    mqtt: { url, username: 'ingest', password: PW.ingest, clientId: 'ingest-sparkplug' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../fixtures/sparkplug-plant.yaml'),
    batch: { maxItems: 500, maxDelayMs: 20 },
    log,
  });
  await ingest.subscribed;
  edge2 = await mqtt.connectAsync(url, {
    username: 'edge2',
    password: PW.edge2,
    reconnectPeriod: 0,
  });
  edge2.on('message', (topic, payload) =>
    edge2Commands.push({ topic, metrics: codec.decodePayload(payload).metrics as Metric[] }),
  );
  await edge2.subscribeAsync('spBv1.0/Plant/NCMD/Edge2', { qos: 0 });
});
afterAll(async () => {
  tahu?.stop();
  await edge2?.endAsync();
  await ingest?.stop();
  await broker?.stop();
});

describe('Eclipse Tahu’s edge node through Takt’s broker', () => {
  const commands: Metric[][] = [];
  let births = 0;

  /** Tahu's client leaves births to the application: NBIRTH at connect and on rebirth; DBIRTH only on rebirth. */
  function birth(withDevice: boolean) {
    births += 1;
    tahu.publishNodeBirth({
      timestamp: Date.now(),
      metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: false }],
    });
    if (!withDevice) return;
    tahu.publishDeviceBirth('press-1', {
      timestamp: Date.now(),
      metrics: [
        { name: 'Speed', alias: 1, type: 'Double', value: 10 },
        { name: 'Status', alias: 2, type: 'Int32', value: 1 },
        { name: 'Counts/Good', alias: 3, type: 'Int64', value: 5 },
        { name: 'Counts/Reject', alias: 4, type: 'Int64', value: 1 },
      ],
    });
  }

  it('DDATA before DBIRTH: the client gets a rebirth request and no value is stored', async () => {
    tahu = newClient({
      serverUrl: url,
      username: 'edge1',
      password: PW.edge1,
      groupId: 'Plant',
      edgeNode: 'Edge1',
      clientId: 'tahu-edge1',
    });
    tahu.on('birth', () => birth(false));
    tahu.on('ncmd', (payload) => {
      commands.push((payload.metrics ?? []) as Metric[]);
      if (rebirthsOf([{ metrics: commands.at(-1)! }]) > 0) birth(true);
    });
    await waitFor('the NBIRTH (gateway online)', async () => {
      const { rows } = await ingest.pool.query(
        "SELECT 1 FROM gateways WHERE id = 'gw-edge1' AND status = 'online'",
      );
      return rows.length > 0;
    });
    tahu.publishDeviceData('press-1', {
      timestamp: Date.now(),
      metrics: [{ name: 'Speed', type: 'Double', value: 99 }],
    });
    await waitFor(
      'the rebirth request at Tahu’s client',
      () => rebirthsOf(commands.map((metrics) => ({ metrics }))) === 1,
    );
    const dead = await deadLetter(
      'spBv1.0/Plant/DDATA/Edge1/press-1',
      /before its DBIRTH.*rebirth requested/,
    );
    expect(dead.reason).toMatch(/nothing stored/);
    // The rebirth's DBIRTH stores Speed 10: 99 was never stored.
    await waitFor(
      'the DBIRTH after the rebirth',
      async () => (await storedValue('press-1', 'speed')) === 10,
    );
    expect(births).toBe(2);
    expect(await samples('press-1', 'speed')).toEqual([10]);
  });

  it('NBIRTH/DBIRTH/DDATA by alias: the values appear in GET /api/machines', async () => {
    tahu.publishDeviceData('press-1', {
      timestamp: Date.now(),
      metrics: [
        { alias: 1, type: 'Double', value: 42.5 },
        { alias: 3, type: 'Int64', value: 6 },
      ] as never,
    });
    const press = await waitFor('press-1 on the board', async () => {
      const m = await machine('press-1');
      return m.values.speed?.value === 42.5 && m.counts.good === 1 ? m : undefined;
    });
    expect(press.state).toBe('running'); // Status 1 in the DBIRTH
    expect(press.gatewayId).toBe('gw-edge1');
    expect(press.values.speed!.quality).toBe('good');
  });
});

describe('faults from a plain MQTT node', () => {
  it('a payload that does not decode is a dead letter, and good data keeps flowing', async () => {
    await birthEdge2(1, 20);
    await edge2.publishAsync(
      'spBv1.0/Plant/DDATA/Edge2/press-2',
      Buffer.from('not protobuf at all'),
      { qos: 1 },
    );
    await deadLetter('spBv1.0/Plant/DDATA/Edge2/press-2', /does not decode/);
    await publishEdge2('DDATA', [{ alias: 1, type: 'Double', value: 21 }]);
    await waitFor(
      'the next value',
      async () => (await storedValue('press-2', 'temperature')) === 21,
    );
  });

  it('metrics and devices the mapping does not name are dead letters (unmapped: dead-letter)', async () => {
    await birthEdge2(7, 25);
    const stray = await publishEdge2('DDATA', [
      { alias: 1, type: 'Double', value: 26 },
      { name: 'Humidity', type: 'Double', value: 50 },
    ]);
    await deadLetter(stray, /not in the plant model's sparkplug mapping: Humidity/);
    const other = await publishEdge2('DBIRTH', [{ name: 'Speed', type: 'Double', value: 1 }], {
      device: 'press-9',
    });
    await deadLetter(other, /device "press-9" is not in the plant model's sparkplug mapping/);
    expect(await storedValue('press-2', 'temperature')).toBe(26); // the mapped metric is stored
  });

  it('an alias never born asks for a rebirth and stores nothing', async () => {
    await birthEdge2(2, 30);
    const before = rebirthsOf(edge2Commands);
    const topic = await publishEdge2('DDATA', [{ alias: 9, type: 'Double', value: 31 }]);
    await waitFor('the rebirth request', () => rebirthsOf(edge2Commands) === before + 1);
    await deadLetter(topic, /alias never born/);
    expect(await storedValue('press-2', 'temperature')).toBe(30);
    expect(await samples('press-2', 'temperature')).not.toContain(31);
  });

  it('a seq jump asks for a rebirth and stores nothing of the doubtful message', async () => {
    await birthEdge2(3, 40);
    const before = rebirthsOf(edge2Commands);
    await publishEdge2('DDATA', [{ alias: 1, type: 'Double', value: 41 }], { seq: 7 });
    await waitFor('the rebirth request', () => rebirthsOf(edge2Commands) === before + 1);
    await deadLetter('spBv1.0/Plant/DDATA/Edge2/press-2', /seq 7 where 2 was due/);
    expect(await storedValue('press-2', 'temperature')).toBe(40);
    expect(await samples('press-2', 'temperature')).not.toContain(41);
  });

  it('seq wraps 255 → 0 without a rebirth', async () => {
    await birthEdge2(4, 50);
    const before = rebirthsOf(edge2Commands);
    for (let i = 0; i < 300; i += 1)
      await publishEdge2('DDATA', [{ alias: 1, type: 'Double', value: 100 + i }]);
    await waitFor(
      'the last of 300',
      async () => (await storedValue('press-2', 'temperature')) === 399,
    );
    expect(rebirthsOf(edge2Commands)).toBe(before);
  });

  it('DDEATH takes the device’s machine offline; its next DDATA asks for a rebirth', async () => {
    await birthEdge2(6, 70);
    await publishEdge2('DDEATH', []);
    const press = await waitFor('press-2 offline', async () => {
      const m = await machine('press-2');
      return m.stateReason === 'Sparkplug DDEATH' ? m : undefined;
    });
    expect(press.state).toBe('unknown');
    const before = rebirthsOf(edge2Commands);
    await publishEdge2('DDATA', [{ alias: 1, type: 'Double', value: 71 }]);
    await waitFor('the rebirth request', () => rebirthsOf(edge2Commands) === before + 1);
    expect(await samples('press-2', 'temperature')).not.toContain(71);
  });

  it('NDEATH with the NBIRTH’s bdSeq takes the node offline; a stale one does not', async () => {
    await birthEdge2(5, 60);
    await publishEdge2('NDEATH', [{ name: 'bdSeq', type: 'UInt64', value: 4 }], { device: false });
    await deadLetter('spBv1.0/Plant/NDEATH/Edge2', /bdSeq 4 is not the NBIRTH's 5/);
    const gateway = async () =>
      (
        await ingest.pool.query<{ status: string }>(
          "SELECT status FROM gateways WHERE id = 'gw-edge2'",
        )
      ).rows[0]!.status;
    expect(await gateway()).toBe('online');
    await publishEdge2('NDEATH', [{ name: 'bdSeq', type: 'UInt64', value: 5 }], { device: false });
    // The status goes into the pipeline before the machine's state: once the state is there, so is it.
    const press = await waitFor('press-2 offline', async () => {
      const m = await machine('press-2');
      return m.stateReason === 'Sparkplug NDEATH' ? m : undefined;
    });
    expect(press.state).toBe('unknown');
    expect(await gateway()).toBe('offline');
  });
});
