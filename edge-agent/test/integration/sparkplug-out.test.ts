import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, startBroker, type BrokerUser, type RunningBroker } from '@takt/broker';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { get } from 'sparkplug-payload';
import type { UMetric } from 'sparkplug-payload/lib/sparkplugbpayload';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * A Takt gateway in Sparkplug mode (the real agent process, its own broker account with a
 * Sparkplug option, simulated devices) read by a host Takt did not write: a plain MQTT
 * subscriber decoding with `sparkplug-payload`. Checks the Sparkplug 3.0 edge node rules the
 * agent follows (docs/wire.md "Sparkplug B out").
 */
const payloads = get('spBv1.0')!;
const main = join(import.meta.dirname, '../../src/main.ts');
const PW = 'pw-for-tests';
const MACHINES = ['m1', 'm2', 'm3', 'm4'];
let broker: RunningBroker;
let host: MqttClient;
let json: MqttClient;

interface Seen {
  topic: string;
  type: string;
  device: string | undefined;
  seq: number | undefined;
  metrics: { name?: string; alias?: number; value: unknown }[];
  retain: boolean;
}
const seen: Seen[] = [];
const jsonTopics: string[] = [];

const num = (v: unknown) => (v === undefined || v === null ? undefined : Number(v));

function decode(topic: string, payload: Buffer, retain: boolean): Seen {
  const [, , type, , device] = topic.split('/');
  const p = payloads.decodePayload(payload);
  return {
    topic,
    type: type!,
    device,
    seq: num(p.seq),
    retain,
    metrics: (p.metrics ?? []).map((m: UMetric) => ({
      ...(m.name ? { name: m.name } : {}),
      ...(m.alias !== undefined && m.alias !== null ? { alias: num(m.alias)! } : {}),
      value: typeof m.value === 'object' && m.value !== null ? Number(m.value) : m.value,
    })),
  };
}

beforeAll(async () => {
  const passwordHash = await hashPassword(PW);
  const users: BrokerUser[] = [
    {
      username: 'gw-sp',
      passwordHash,
      role: 'gateway',
      site: 's',
      gatewayId: 'gw-sp',
      sparkplug: { group: 'Plant' },
    },
    { username: 'ingest', passwordHash, role: 'ingest' },
  ];
  broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    users,
    log: pino({ level: 'silent' }),
  });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  // The host: ingest's account may read spBv1.0/# and write NCMD.
  host = await mqtt.connectAsync(url, { username: 'ingest', password: PW, clientId: 'sp-host' });
  host.on('message', (topic, payload, packet) => {
    if (topic.startsWith('spBv1.0/')) seen.push(decode(topic, payload, packet.retain));
    else jsonTopics.push(topic);
  });
  await host.subscribeAsync('spBv1.0/Plant/#', { qos: 1 });
  await host.subscribeAsync('takt/v1/s/gw-sp/+/count', { qos: 1 });
  json = host;
});
afterAll(async () => {
  await json.endAsync();
  await broker.stop();
});

const config = () =>
  [
    'gateway: { id: gw-sp, site: s }',
    `mqtt: { url: "mqtt://127.0.0.1:${broker.port}", username: gw-sp }`,
    'sparkplug: { group: Plant, mode: also }',
    'devices:',
    ...MACHINES.map((m) =>
      [
        `  - id: d-${m}`,
        '    driver: simulated',
        `    machine: ${m}`,
        '    pollIntervalMs: 50',
        '    tags:',
        '      - { name: speed, channel: metric, signal: { kind: sine, min: 0, max: 100, periodS: 7 } }',
        '      - { name: setpoint, channel: metric, signal: { kind: constant, value: 5 } }',
        '      - { name: mode, channel: state, states: { "1": running }, signal: { kind: constant, value: 1 } }',
        '      - { name: good, channel: count.good, signal: { kind: counter, perMinute: 6000 } }',
      ].join('\n'),
    ),
    '',
  ].join('\n');

async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function startAgent(dir: string, file: string): { agent: ChildProcess; output: () => string } {
  let output = '';
  const agent = spawn(process.execPath, ['--import', 'tsx', main, file], {
    env: { ...process.env, TAKT_STATE_DIR: dir, TAKT_MQTT_PASSWORD: PW, LOG_LEVEL: 'info' },
  });
  agent.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  agent.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  return { agent, output: () => output };
}

const metric = (m: Seen, name: string) => m.metrics.find((x) => x.name === name);
const indexOf = (pred: (m: Seen) => boolean, from = 0) =>
  seen.findIndex((m, i) => i >= from && pred(m));

describe('a Takt gateway as a Sparkplug B edge node, read by a plain Sparkplug host', () => {
  it('follows the birth, sequence, by-exception, rebirth and death rules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'takt-sp-out-'));
    const file = join(dir, 'gw.yaml');
    writeFileSync(file, config());
    const { agent, output } = startAgent(dir, file);
    try {
      // Enough messages after the NBIRTH for the seq to wrap 255 → 0.
      await until('300 messages after the birth', () => seen.length > 300);

      // NBIRTH first, with seq 0, bdSeq and Node Control/Rebirth (Sparkplug 3.0 "NBIRTH").
      const nbirth = seen[0]!;
      expect(nbirth.topic).toBe('spBv1.0/Plant/NBIRTH/gw-sp');
      expect(nbirth.seq).toBe(0);
      expect(nbirth.retain).toBe(false);
      const bdSeq = metric(nbirth, 'bdSeq')?.value;
      expect(typeof bdSeq).toBe('number');
      expect(metric(nbirth, 'Node Control/Rebirth')?.value).toBe(false);

      // seq: one more on every message after the NBIRTH, 255 wrapping to 0.
      const seqs = seen.slice(0, 300).map((m) => m.seq);
      seqs.forEach((s, i) => expect(s).toBe(i % 256));
      expect(seqs[255]).toBe(255);
      expect(seqs[256]).toBe(0);

      // Every device is born (with every metric, by name and alias) before any DDATA of it.
      const aliases = new Map<string, Map<number, string>>();
      for (const machine of MACHINES) {
        const birth = indexOf((m) => m.type === 'DBIRTH' && m.device === machine);
        const firstData = indexOf((m) => m.type === 'DDATA' && m.device === machine);
        expect(birth).toBeGreaterThan(0);
        expect(firstData).toBeGreaterThan(birth);
        const names = seen[birth]!.metrics.map((m) => m.name).sort();
        expect(names).toEqual([
          'count/good',
          'count/reject',
          'state',
          'state/code',
          'tags/setpoint',
          'tags/speed',
        ]);
        aliases.set(machine, new Map(seen[birth]!.metrics.map((m) => [m.alias!, m.name!])));
      }
      // Aliases are unique across the node.
      const all = [...aliases.values()].flatMap((m) => [...m.keys()]);
      expect(new Set(all).size).toBe(all.length);

      // DDATA by exception: alias only, and only values that changed since the last one sent.
      for (const machine of MACHINES) {
        const names = aliases.get(machine)!;
        const last = new Map<string, unknown>(
          seen
            .find((m) => m.type === 'DBIRTH' && m.device === machine)!
            .metrics.map((m) => [m.name!, m.value]),
        );
        const data = seen.filter((m) => m.type === 'DDATA' && m.device === machine);
        expect(data.length).toBeGreaterThan(5);
        for (const d of data) {
          for (const m of d.metrics) {
            expect(m.name).toBeUndefined();
            const name = names.get(m.alias!);
            expect(name).toBeDefined();
            expect(m.value).not.toEqual(last.get(name!));
            last.set(name!, m.value);
          }
        }
        // The constant setpoint and the steady state went at most once (from the birth's null).
        const setpointAlias = [...names].find(([, n]) => n === 'tags/setpoint')![0];
        const setpointSends = data
          .flatMap((d) => d.metrics)
          .filter((m) => m.alias === setpointAlias);
        expect(setpointSends.length).toBeLessThanOrEqual(1);
        expect(last.get('tags/setpoint')).toBe(5);
        expect(last.get('state')).toBe('running');
      }
      // `also`: Takt's own JSON path keeps going beside it.
      expect(jsonTopics.some((t) => t === 'takt/v1/s/gw-sp/m1/count')).toBe(true);

      // NCMD Node Control/Rebirth → a new NBIRTH (seq 0, same bdSeq: same MQTT session) and
      // a DBIRTH of every device.
      const before = seen.length;
      host.publish(
        'spBv1.0/Plant/NCMD/gw-sp',
        Buffer.from(
          payloads.encodePayload({
            timestamp: Date.now(),
            metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }],
          }),
        ),
        { qos: 0 },
      );
      await until('the rebirth', () => indexOf((m) => m.type === 'NBIRTH', before) >= 0);
      const reborn = indexOf((m) => m.type === 'NBIRTH', before);
      await until('the DBIRTHs after it', () => seen.length > reborn + MACHINES.length + 1);
      expect(seen[reborn]!.seq).toBe(0);
      expect(metric(seen[reborn]!, 'bdSeq')?.value).toBe(bdSeq);
      const after = seen.slice(reborn + 1, reborn + 1 + MACHINES.length);
      expect(after.map((m) => [m.type, m.device, m.seq])).toEqual(
        MACHINES.map((machine, i) => ['DBIRTH', machine, i + 1]),
      );

      // Killing the agent's process cuts its connection: the broker sends the will, NDEATH,
      // with the NBIRTH's bdSeq, not retained.
      agent.kill('SIGKILL');
      await until('the NDEATH', () => seen.some((m) => m.type === 'NDEATH'));
      const ndeath = seen.find((m) => m.type === 'NDEATH')!;
      expect(ndeath.topic).toBe('spBv1.0/Plant/NDEATH/gw-sp');
      expect(metric(ndeath, 'bdSeq')?.value).toBe(bdSeq);
      expect(ndeath.retain).toBe(false);
    } finally {
      agent.kill('SIGKILL');
    }
    expect(output()).toContain('sparkplug node born');

    // A new process, a new CONNECT: the next bdSeq (kept in the state folder).
    const start = seen.length;
    const second = startAgent(dir, file);
    try {
      await until('the second NBIRTH', () => indexOf((m) => m.type === 'NBIRTH', start) >= 0);
      const nbirth = seen[indexOf((m) => m.type === 'NBIRTH', start)]!;
      const first = metric(seen[0]!, 'bdSeq')!.value as number;
      expect(metric(nbirth, 'bdSeq')?.value).toBe((first + 1) % 256);
      expect(nbirth.seq).toBe(0);
      // A clean stop sends NDEATH itself, with that bdSeq.
      second.agent.kill('SIGTERM');
      await until('the clean NDEATH', () => seen.slice(start).some((m) => m.type === 'NDEATH'));
      const death = seen.slice(start).find((m) => m.type === 'NDEATH')!;
      expect(metric(death, 'bdSeq')?.value).toBe((first + 1) % 256);
    } finally {
      second.agent.kill('SIGKILL');
    }
  });
});
