import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import {
  hashPassword,
  loadUsersFile,
  startBroker,
  verifyPassword,
  type RunningBroker,
} from '../../src';
import { connect } from '../helpers/clients';

const testLog = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const root = join(import.meta.dirname, '../../..');
let broker: RunningBroker;
let url: string;

beforeAll(async () => {
  broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    wsPort: 0,
    users: [
      {
        username: 'gw-1',
        passwordHash: await hashPassword('s3cret'),
        role: 'gateway',
        site: 's',
        gatewayId: 'gw-1',
      },
      { username: 'ingest', passwordHash: await hashPassword('ingest-pw'), role: 'ingest' },
    ],
    log: testLog,
  });
  url = `mqtt://127.0.0.1:${broker.port}`;
});
afterAll(() => broker.stop());

describe('broker authentication', () => {
  it('hashes with scrypt and verifies only the right password', async () => {
    const hash = await hashPassword('pw');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(hash).not.toContain('pw$');
    expect(await verifyPassword('pw', hash)).toBe(true);
    expect(await verifyPassword('pW', hash)).toBe(false);
  });

  it('carries a gateway’s data to ingest over TCP and WebSocket', async () => {
    const sub = await connect(`ws://127.0.0.1:${broker.wsPort}`, {
      username: 'ingest',
      password: 'ingest-pw',
    });
    const pub = await connect(url, {
      clientId: 'takt-gw-gw-1',
      username: 'gw-1',
      password: 's3cret',
    });
    await sub.subscribeAsync('takt/v1/#', { qos: 1 });
    const received = new Promise<string>((resolve) =>
      sub.on('message', (_t, p) => resolve(p.toString())),
    );
    await pub.publishAsync('takt/v1/s/gw-1/status', 'hello', { qos: 1 });
    expect(await received).toBe('hello');
    await Promise.all([sub.endAsync(), pub.endAsync()]);
  });

  it.each([
    ['a wrong password', { username: 'gw-1', password: 'nope' }],
    ['an unknown user', { username: 'stranger', password: 's3cret' }],
    ['no credentials (anonymous)', {}],
    ['a user name without a password', { username: 'gw-1' }],
  ])('refuses %s with CONNACK code 4', async (_name, login) => {
    await expect(connect(url, { clientId: 'takt-gw-gw-1', ...login })).rejects.toThrow(
      /Bad username or password/i,
    );
  });

  it('refuses anonymous clients on the WebSocket listener too', async () => {
    await expect(connect(`ws://127.0.0.1:${broker.wsPort}`)).rejects.toThrow(
      /Bad username or password/i,
    );
  });

  it('refuses a gateway that uses another gateway’s client id (CONNACK 2)', async () => {
    await expect(
      connect(url, { clientId: 'takt-gw-gw-2', username: 'gw-1', password: 's3cret' }),
    ).rejects.toThrow(/Identifier rejected/i);
  });

  it('stop() also ends connections that never sent CONNECT', async () => {
    const other = await startBroker({
      host: '127.0.0.1',
      port: 0,
      users: [],
      limits: { connectTimeoutMs: 60_000 }, // so that only stop() can end it within the test
      log: testLog,
    });
    const socket = await new Promise<Socket>((resolve) => {
      const s: Socket = tcpConnect(other.port, '127.0.0.1', () => resolve(s));
    });
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    await other.stop(20_000);
    await ended;
    expect(socket.destroyed).toBe(true);
  });

  it('reports a port already in use plainly', async () => {
    await expect(
      startBroker({ host: '127.0.0.1', port: broker.port, users: [], log: testLog }),
    ).rejects.toThrow(`BROKER_ERR_PORT_IN_USE: port ${broker.port} on 127.0.0.1 is already in use`);
  });
});

describe('broker:add-gateway', () => {
  const cli = (...args: string[]) =>
    promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'broker/src/cli/accounts.ts', ...args],
      {
        cwd: root,
      },
    );

  it('adds a gateway account, prints its password once and stores only the hash', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'takt-accounts-')), 'users.json');
    const { stdout } = await cli('add-gateway', 'plant-7', 'gw-7', '--users-file', file);
    const password = /password=(\S+)/.exec(stdout)![1]!;
    expect(password.length).toBeGreaterThanOrEqual(24);
    expect(readFileSync(file, 'utf8')).not.toContain(password);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadUsersFile(file)).toMatchObject([
      { username: 'gw-7', role: 'gateway', site: 'plant-7', gatewayId: 'gw-7' },
    ]);
    await expect(cli('add-gateway', 'plant-7', 'gw-7', '--users-file', file)).rejects.toThrow(
      /already has an account "gw-7".*--rotate/,
    );

    // The new account works on a broker reading that file, for its own subtree.
    broker.setUsers(loadUsersFile(file));
    const client = await connect(url, { clientId: 'takt-gw-gw-7', username: 'gw-7', password });
    await client.publishAsync('takt/v1/plant-7/gw-7/status', 'x', { qos: 1 });
    await client.endAsync();
  });

  it('refuses an id that cannot be a topic level', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'takt-accounts-')), 'users.json');
    await expect(cli('add-gateway', 'plant', 'gw/#', '--users-file', file)).rejects.toThrow(
      /must be 1-64 characters/,
    );
  });
});
