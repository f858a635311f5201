import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, requirePeer } from '@takt/sim';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, startBroker, type BrokerUser, type RunningBroker } from '../../src';
import { redisState } from '../../src/cluster';
import { closed, collect, connect, waitUntil } from '../helpers/clients';

/**
 * Two aedes brokers sharing state over one Redis (Debian's redis-server on a free loopback
 * port, its own directory, nothing saved): a gateway on broker A, ingest on broker B.
 */
const log = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const PW = 'cluster-pw';
let redis: ChildProcess;
const brokers: RunningBroker[] = [];
const clients: MqttClient[] = [];

async function startRedis(): Promise<string> {
  requirePeer('redis-server');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'takt-redis-'));
  redis = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) =>
      tcpConnect(port, '127.0.0.1')
        .once('connect', function (this: import('node:net').Socket) {
          this.destroy();
          resolve(true);
        })
        .once('error', () => resolve(false)),
    );
    if (up) return `redis://127.0.0.1:${port}`;
    if (Date.now() > deadline || redis.exitCode !== null)
      throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startNode(url: string, users: BrokerUser[]): Promise<RunningBroker> {
  const state = redisState(url);
  const broker = await startBroker({ host: '127.0.0.1', port: 0, users, shared: state, log });
  brokers.push(broker);
  return broker;
}

async function client(broker: RunningBroker, username: string, clientId?: string) {
  const c = await connect(`mqtt://127.0.0.1:${broker.port}`, { username, password: PW, clientId });
  clients.push(c);
  return c;
}

let a: RunningBroker;
let b: RunningBroker;

beforeAll(async () => {
  const url = await startRedis();
  const passwordHash = await hashPassword(PW);
  const users: BrokerUser[] = [
    { username: 'gw-a', passwordHash, role: 'gateway', site: 's1', gatewayId: 'gw-a' },
    { username: 'ingest', passwordHash, role: 'ingest' },
  ];
  a = await startNode(url, users);
  b = await startNode(url, users);
});

afterAll(async () => {
  try {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    // A generous bound: on a loaded machine the default 3 s can pass before the brokers have
    // let go of Redis, and killing Redis under them leaves their clients reconnecting to a
    // closed port after the file ended (unhandled ECONNREFUSED in the run).
    for (const broker of brokers) await broker.stop(30_000);
  } finally {
    redis?.kill('SIGTERM');
  }
});

describe('two brokers over Redis', () => {
  it('carry a gateway’s data from broker A to ingest on broker B, and acks back', async () => {
    const ingest = await client(b, 'ingest', 'takt-ingest-cluster');
    const atIngest = collect(ingest);
    await ingest.subscribeAsync('takt/v1/#', { qos: 1 });
    const gateway = await client(a, 'gw-a', 'takt-gw-gw-a');
    const atGateway = collect(gateway);
    await gateway.subscribeAsync('takt/v1/s1/gw-a/ack', { qos: 1 });

    await gateway.publishAsync('takt/v1/s1/gw-a/press-1/metrics', 'reading-1', { qos: 1 });
    await waitUntil('the reading on broker B', () =>
      atIngest.some((m) => m.payload === 'reading-1'),
    );
    await ingest.publishAsync('takt/v1/s1/gw-a/ack', 'ack-1', { qos: 1 });
    await waitUntil('the ack on broker A', () => atGateway.some((m) => m.payload === 'ack-1'));
    // once, not once per broker
    expect(atIngest.filter((m) => m.payload === 'reading-1')).toHaveLength(1);
  });

  it('share retained messages: a subscriber on B gets the status retained through A', async () => {
    const gateway = await client(a, 'gw-a', 'takt-gw-gw-a/retained');
    await gateway.publishAsync('takt/v1/s1/gw-a/status', 'online', { qos: 1, retain: true });
    const late = await client(b, 'ingest', 'takt-ingest-late');
    const seen = collect(late);
    await late.subscribeAsync('takt/v1/s1/+/status', { qos: 1 });
    await waitUntil('the retained status', () => seen.some((m) => m.payload === 'online'));
  });

  it('still enforce the ACL on each broker', async () => {
    const watcher = await client(b, 'ingest', 'takt-ingest-watch');
    const seen = collect(watcher);
    await watcher.subscribeAsync('takt/v1/#', { qos: 1 });
    const gateway = await client(a, 'gw-a', 'takt-gw-gw-a/rogue');
    gateway.publish('takt/v1/s1/gw-b/press-9/count', 'forged', { qos: 1 });
    await closed(gateway);
    const honest = await client(a, 'gw-a', 'takt-gw-gw-a/honest');
    await honest.publishAsync('takt/v1/s1/gw-a/press-1/count', 'real', { qos: 1 });
    await waitUntil('the real count on B', () => seen.some((m) => m.payload === 'real'));
    expect(seen.map((m) => m.payload)).not.toContain('forged');
  });
});
