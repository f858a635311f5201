import { mkdtempSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, startBroker, type BrokerUser, type RunningBroker } from '@takt/broker';
import { gatewayConfigSchema } from '@takt/protocol';
import { freePort } from '@takt/sim';
import mqtt, { type MqttClient } from 'mqtt';
import { ServerTCP } from 'modbus-serial';
import { pino } from 'pino';
import { get } from 'sparkplug-payload';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdgeAgent, type RunningEdgeAgent } from '../../src';

/*
 * A machine whose device is lost (a Modbus TCP PLC behind a proxy this test cuts) gets a
 * DDEATH and no data until the device is back, then a new DBIRTH; the other machine of the
 * node carries on. `mode: only`: no machine message on Takt's own topics.
 */
const payloads = get('spBv1.0')!;
const PW = 'pw-for-tests';
let broker: RunningBroker;
let host: MqttClient;
let plc: InstanceType<typeof ServerTCP>;
let plcPort: number;
let proxyPort: number;
let proxy: Server | undefined;
const proxied = new Set<Socket>();
let register = 7;

interface Seen {
  type: string;
  device: string | undefined;
  seq: number;
  metrics: { name?: string; value: unknown }[];
}
const seen: Seen[] = [];
const taktTopics: string[] = [];

function openProxy(): Promise<void> {
  proxy = createServer((socket) => {
    const upstream = connect(plcPort, '127.0.0.1');
    proxied.add(socket).add(upstream);
    socket.pipe(upstream).pipe(socket);
    const drop = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  return new Promise((resolve) => proxy!.listen(proxyPort, '127.0.0.1', resolve));
}

async function cutProxy(): Promise<void> {
  const closed = new Promise((resolve) => proxy!.close(resolve));
  for (const socket of proxied) socket.destroy();
  proxied.clear();
  await closed;
}

beforeAll(async () => {
  plcPort = await freePort();
  proxyPort = await freePort();
  plc = new ServerTCP(
    { getHoldingRegister: () => register },
    { host: '127.0.0.1', port: plcPort, unitID: 255 },
  );
  await new Promise((resolve) => plc.once('initialized', resolve));
  await openProxy();
  const passwordHash = await hashPassword(PW);
  const users: BrokerUser[] = [
    {
      username: 'gw-dd',
      passwordHash,
      role: 'gateway',
      site: 's',
      gatewayId: 'gw-dd',
      sparkplug: { group: 'Plant', node: 'hall-2' },
    },
    { username: 'ingest', passwordHash, role: 'ingest' },
  ];
  broker = await startBroker({ host: '127.0.0.1', port: 0, users, log: pino({ level: 'silent' }) });
  host = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
    username: 'ingest',
    password: PW,
    clientId: 'sp-host-dd',
  });
  host.on('message', (topic, payload) => {
    if (!topic.startsWith('spBv1.0/')) return void taktTopics.push(topic);
    const [, , type, , device] = topic.split('/');
    const p = payloads.decodePayload(payload);
    seen.push({
      type: type!,
      device,
      seq: Number(p.seq),
      metrics: (p.metrics ?? []).map((m) => ({
        ...(m.name ? { name: m.name } : {}),
        value: m.value,
      })),
    });
  });
  await host.subscribeAsync(['spBv1.0/Plant/#', 'takt/v1/#'], { qos: 1 });
});
afterAll(async () => {
  await host.endAsync();
  await broker.stop();
  await cutProxy().catch(() => undefined);
  await new Promise<void>((resolve) => plc.close(() => resolve()));
});

async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const find = (type: string, device: string, from = 0) =>
  seen.findIndex((m, i) => i >= from && m.type === type && m.device === device);

describe('Sparkplug out: a lost device', () => {
  it('sends DDEATH, stays quiet until the device is back, then a new DBIRTH', async () => {
    const config = gatewayConfigSchema.parse({
      gateway: { id: 'gw-dd', site: 's' },
      mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, username: 'gw-dd' },
      stateDir: mkdtempSync(join(tmpdir(), 'takt-sp-dd-')),
      sparkplug: { group: 'Plant', node: 'hall-2', mode: 'only' },
      devices: [
        {
          id: 'plc',
          driver: 'modbus-tcp',
          host: '127.0.0.1',
          port: proxyPort,
          machine: 'press',
          pollIntervalMs: 100,
          timeoutMs: 300,
          retries: 0,
          tags: [{ name: 'r0', channel: 'metric', address: 0 }],
        },
        {
          id: 'sim',
          driver: 'simulated',
          machine: 'saw',
          pollIntervalMs: 100,
          tags: [
            {
              name: 'speed',
              channel: 'metric',
              signal: { kind: 'sine', min: 0, max: 9, periodS: 3 },
            },
          ],
        },
      ],
    });
    let agent: RunningEdgeAgent | undefined;
    try {
      agent = await startEdgeAgent(config, { password: PW, log: pino({ level: 'silent' }) });
      const r0 = () => {
        const birth = seen[find('DBIRTH', 'press')];
        return birth?.metrics.find((m) => m.name === 'tags/r0');
      };
      await until('the press with its register', () =>
        seen.some(
          (m) =>
            m.device === 'press' &&
            (m.type === 'DDATA' || m.type === 'DBIRTH') &&
            m.metrics.some((x) => x.value === 7),
        ),
      );
      expect(r0()).toBeDefined();
      expect(seen[0]!.type).toBe('NBIRTH');

      await cutProxy();
      await until('the DDEATH of the press', () => find('DDEATH', 'press') >= 0);
      const death = find('DDEATH', 'press');
      expect(seen[death]!.seq).toBe((seen[death - 1]!.seq + 1) % 256);
      // The saw carries on: a marker that time passed after the death.
      await until('saw data after the death', () => {
        const i = find('DDATA', 'saw', death + 1);
        return i >= 0 && find('DDATA', 'saw', i + 1) >= 0;
      });
      expect(find('DDATA', 'press', death)).toBe(-1);
      expect(find('DBIRTH', 'press', death)).toBe(-1);

      register = 9;
      await openProxy();
      await until('a new DBIRTH of the press', () => find('DBIRTH', 'press', death) >= 0, 30_000);
      const reborn = find('DBIRTH', 'press', death);
      await until('the new value', () =>
        seen
          .slice(reborn)
          .some((m) => m.device === 'press' && m.metrics.some((x) => x.value === 9)),
      );
      // Nothing of the press between its death and its new birth.
      const between = seen.slice(death + 1, reborn).filter((m) => m.device === 'press');
      expect(between).toEqual([]);
      // mode only: the status stays, no machine message on Takt's own topics.
      expect(taktTopics).toContain('takt/v1/s/gw-dd/status');
      expect(taktTopics.filter((t) => t !== 'takt/v1/s/gw-dd/status')).toEqual([]);
    } finally {
      await agent?.stop(3000);
    }
  });
});
