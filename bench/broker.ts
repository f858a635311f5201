import { createServer, type AddressInfo } from 'node:net';
import { hashPassword, startBroker, type BrokerUser } from '@takt/broker';
import { Aedes } from 'aedes';
import mqtt, { type IClientOptions } from 'mqtt';
import { pino } from 'pino';
import { printTable } from './table';

const MESSAGES = 20_000;
const WINDOW = 100; // publishes in flight
const PAYLOAD = Buffer.alloc(1024, 'x'); // a batched metrics message is about this size
const CONNECTS = 20;
const log = pino({ level: 'silent' });
const PW = 'bench-pw';

interface Target {
  port: number;
  gateway: IClientOptions;
  ingest: IClientOptions;
  stop(): Promise<void>;
}

/** Bare aedes: no authentication, no ACL, no packet guard. */
async function bareAedes(): Promise<Target> {
  const aedes = await Aedes.createBroker();
  const server = createServer({ noDelay: true }, aedes.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    gateway: {},
    ingest: {},
    stop: () => new Promise((r) => aedes.close(() => server.close(() => r()))),
  };
}

async function taktBroker(): Promise<Target> {
  const passwordHash = await hashPassword(PW);
  const users: BrokerUser[] = [
    { username: 'gw-bench', passwordHash, role: 'gateway', site: 'bench', gatewayId: 'gw-bench' },
    { username: 'ingest', passwordHash, role: 'ingest' },
  ];
  const broker = await startBroker({ host: '127.0.0.1', port: 0, users, log });
  return {
    port: broker.port,
    gateway: { clientId: 'takt-gw-gw-bench', username: 'gw-bench', password: PW },
    ingest: { username: 'ingest', password: PW },
    stop: () => broker.stop(),
  };
}

/** QoS 1 messages/s from one gateway to one ingest subscriber, through the broker. */
async function throughput(target: Target): Promise<number> {
  const url = `mqtt://127.0.0.1:${target.port}`;
  const sub = await mqtt.connectAsync(url, target.ingest);
  const pub = await mqtt.connectAsync(url, target.gateway);
  await sub.subscribeAsync('takt/v1/#', { qos: 1 });
  let received = 0;
  const all = new Promise<void>((resolve) =>
    sub.on('message', () => ++received === MESSAGES && resolve()),
  );
  const t0 = performance.now();
  for (let i = 0; i < MESSAGES; i += WINDOW) {
    await Promise.all(
      Array.from({ length: Math.min(WINDOW, MESSAGES - i) }, (_, j) =>
        pub.publishAsync(`takt/v1/bench/gw-bench/m${(i + j) % 10}/metrics`, PAYLOAD, { qos: 1 }),
      ),
    );
  }
  await all;
  const rate = MESSAGES / ((performance.now() - t0) / 1000);
  await Promise.all([sub.endAsync(), pub.endAsync()]);
  return rate;
}

/** Milliseconds per CONNECT + CONNACK (the scrypt check is the cost). */
async function connectMs(target: Target): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < CONNECTS; i++) {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${target.port}`, target.gateway);
    await c.endAsync();
  }
  return (performance.now() - t0) / CONNECTS;
}

/** The broker with accounts, ACL and packet guard against bare aedes, in the same run. */
export async function benchBroker(): Promise<Record<string, unknown>> {
  const results: Record<string, { msgPerS: number; connectMs: number }> = {};
  for (const [name, make] of [
    ['bare aedes (no auth, no ACL)', bareAedes],
    ['takt broker (scrypt, ACL, guard)', taktBroker],
  ] as const) {
    const target = await make();
    try {
      await throughput(target); // warm-up
      results[name] = { msgPerS: await throughput(target), connectMs: await connectMs(target) };
    } finally {
      await target.stop();
    }
  }
  const [base, takt] = Object.values(results) as [
    { msgPerS: number; connectMs: number },
    { msgPerS: number; connectMs: number },
  ];
  printTable([
    ['broker', 'QoS 1 msg/s (1 KB)', 'vs bare', 'ms per CONNECT'],
    ...Object.entries(results).map(([name, r]) => [
      name,
      Math.round(r.msgPerS).toLocaleString('en'),
      `${((r.msgPerS / base.msgPerS) * 100).toFixed(0)} %`,
      r.connectMs.toFixed(1),
    ]),
  ]);
  return {
    messages: MESSAGES,
    payloadBytes: PAYLOAD.length,
    results,
    ratio: takt.msgPerS / base.msgPerS,
  };
}
