import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { requirePeer } from '@takt/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, startBroker, type BrokerUser, type RunningBroker } from '../../src';
import { closed, collect, connect, waitUntil } from '../helpers/clients';

const log = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const PW = 'tls-test-pw';
let broker: RunningBroker;
let ca: Buffer;
const LIMITS = {
  maxPacketBytes: 4096,
  connectTimeoutMs: 500,
  connections: { perWindow: 40, windowMs: 3000, concurrent: 100 },
};

/** A throwaway CA and a server certificate for 127.0.0.1, made with openssl as an operator would. */
function makeCertificates(dir: string): { cert: Buffer; key: Buffer; ca: Buffer } {
  requirePeer('openssl');
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=Takt test CA',
  );
  ssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  );
  const read = (f: string) => readFileSync(join(dir, f));
  return { cert: read('server.crt'), key: read('server.key'), ca: read('ca.crt') };
}

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves true if the broker closes the socket within the time, false if it stays open. */
function closesWithin(socket: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.on('error', () => undefined);
  });
}

const ingestLogin = { username: 'ingest', password: PW };
const tcpUrl = () => `mqtt://127.0.0.1:${broker.port}`;

beforeAll(async () => {
  const certs = makeCertificates(mkdtempSync(join(tmpdir(), 'takt-tls-')));
  ca = certs.ca;
  const passwordHash = await hashPassword(PW);
  const users: BrokerUser[] = [
    { username: 'ingest', passwordHash, role: 'ingest' },
    { username: 'gw-a', passwordHash, role: 'gateway', site: 's1', gatewayId: 'gw-a' },
  ];
  broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    tls: { port: 0, cert: certs.cert, key: certs.key },
    users,
    limits: LIMITS,
    log,
  });
});
afterAll(() => broker.stop());

describe('TLS listener', () => {
  it('carries MQTT for a client that trusts the CA', async () => {
    const client = await connect(`mqtts://127.0.0.1:${broker.tlsPort}`, { ...ingestLogin, ca });
    await client.subscribeAsync('takt/v1/#', { qos: 1 });
    const seen = collect(client);
    const gw = await connect(`mqtts://127.0.0.1:${broker.tlsPort}`, {
      clientId: 'takt-gw-gw-a',
      username: 'gw-a',
      password: PW,
      ca,
    });
    await gw.publishAsync('takt/v1/s1/gw-a/status', 'over-tls', { qos: 1 });
    await waitUntil('the message over TLS', () => seen.some((m) => m.payload === 'over-tls'));
    await Promise.all([client.endAsync(), gw.endAsync()]);
  });

  it('is refused by a client that does not trust the certificate', async () => {
    await expect(connect(`mqtts://127.0.0.1:${broker.tlsPort}`, ingestLogin)).rejects.toThrow(
      /self[- ]signed|unable to verify|certificate/i,
    );
  });

  it('refuses plain MQTT on the TLS port', async () => {
    const plain = mqtt.connect(`mqtt://127.0.0.1:${broker.tlsPort}`, {
      ...ingestLogin,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    plain.on('error', () => undefined);
    let connected = false;
    plain.on('connect', () => (connected = true));
    await closed(plain); // the TLS server drops the CONNECT as a bad handshake
    expect(connected).toBe(false);
    plain.end(true);
  });
});

describe('bad input', () => {
  it('closes a connection at the header of an oversized packet; the message goes nowhere', async () => {
    const watcher = await connect(tcpUrl(), ingestLogin);
    await watcher.subscribeAsync('takt/v1/#', { qos: 1 });
    const seen = collect(watcher);
    const gw = await connect(tcpUrl(), {
      clientId: 'takt-gw-gw-a',
      username: 'gw-a',
      password: PW,
    });
    gw.publish('takt/v1/s1/gw-a/status', Buffer.alloc(LIMITS.maxPacketBytes + 1, 120), { qos: 1 });
    await closed(gw);
    const gw2 = await connect(tcpUrl(), {
      clientId: 'takt-gw-gw-a',
      username: 'gw-a',
      password: PW,
    });
    await gw2.publishAsync('takt/v1/s1/gw-a/status', 'small', { qos: 1 });
    await waitUntil('the small message', () => seen.some((m) => m.payload === 'small'));
    expect(seen.map((m) => m.payload.length)).toEqual([5]);
    await Promise.all([watcher.endAsync(), gw2.endAsync()]);
  });

  it('closes a connection announcing a 200 MB packet before it is authenticated', async () => {
    const socket = await rawSocket(broker.port);
    // CONNECT header with a remaining length of 200,000,000 (variable byte integer)
    socket.write(Buffer.from([0x10, 0x80, 0x84, 0xaf, 0x5f]));
    socket.write(Buffer.alloc(16 * 1024, 0));
    expect(await closesWithin(socket, 2000)).toBe(true);
  });

  it.each([
    ['garbage instead of CONNECT', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
    [
      'a CONNECT with a wrong protocol name',
      Buffer.from([
        0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x58, 0x58, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00,
      ]),
    ],
    ['a CONNECT cut short', Buffer.from([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51])],
    ['a PUBLISH before CONNECT', Buffer.from([0x30, 0x05, 0x00, 0x01, 0x61, 0x68, 0x69])],
    ['nothing at all (connect timeout)', Buffer.alloc(0)],
  ])('closes a connection that sends %s', async (_name, bytes) => {
    const socket = await rawSocket(broker.port);
    socket.write(bytes);
    expect(await closesWithin(socket, 3000)).toBe(true);
  });

  it('refuses a flood of connections from one address and keeps serving afterwards', async () => {
    // A fresh window, so that the tests above do not count.
    await new Promise((r) => setTimeout(r, LIMITS.connections.windowMs));
    const sockets = await Promise.all(
      Array.from({ length: 150 }, () => rawSocket(broker.port).catch(() => undefined)),
    );
    const refused = await Promise.all(
      sockets.map((s) => (s ? closesWithin(s, 300) : Promise.resolve(true))),
    );
    const count = refused.filter(Boolean).length;
    expect(count).toBeGreaterThanOrEqual(150 - LIMITS.connections.perWindow);
    for (const s of sockets) s?.destroy();
    // Once the window has passed, the same address is served again.
    await new Promise((r) => setTimeout(r, LIMITS.connections.windowMs));
    const client = await connect(tcpUrl(), ingestLogin);
    await client.subscribeAsync('takt/v1/#', { qos: 1 });
    await client.endAsync();
  });
});
