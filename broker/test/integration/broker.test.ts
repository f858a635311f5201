import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { hashPassword, startBroker, verifyPassword, type RunningBroker } from '../../src';

const testLog = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    wsPort: 0,
    users: [{ username: 'gw-1', passwordHash: await hashPassword('s3cret') }],
    log: testLog,
  });
});
afterAll(() => broker.stop());

const connect = (url: string, username: string, password: string) =>
  mqtt.connectAsync(url, { username, password, reconnectPeriod: 0, connectTimeout: 5000 });

describe('broker authentication', () => {
  it('hashes with scrypt and verifies only the right password', async () => {
    const hash = await hashPassword('pw');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(hash).not.toContain('pw$');
    expect(await verifyPassword('pw', hash)).toBe(true);
    expect(await verifyPassword('pW', hash)).toBe(false);
  });

  it('lets a known user publish and another receive over TCP and WebSocket', async () => {
    const sub = await connect(`ws://127.0.0.1:${broker.wsPort}`, 'gw-1', 's3cret');
    const pub = await connect(`mqtt://127.0.0.1:${broker.port}`, 'gw-1', 's3cret');
    await sub.subscribeAsync('takt/v1/#', { qos: 1 });
    const received = new Promise<string>((resolve) =>
      sub.on('message', (_t, p) => resolve(p.toString())),
    );
    await pub.publishAsync('takt/v1/s/gw-1/status', 'hello', { qos: 1 });
    expect(await received).toBe('hello');
    await Promise.all([sub.endAsync(), pub.endAsync()]);
  });

  it.each([
    ['a wrong password', 'gw-1', 'nope'],
    ['an unknown user', 'stranger', 's3cret'],
  ])('refuses %s with CONNACK code 4', async (_name, username, password) => {
    await expect(connect(`mqtt://127.0.0.1:${broker.port}`, username, password)).rejects.toThrow(
      /Bad username or password/i,
    );
  });

  it('reports a port already in use plainly', async () => {
    await expect(
      startBroker({ host: '127.0.0.1', port: broker.port, users: [], log: testLog }),
    ).rejects.toThrow(`BROKER_ERR_PORT_IN_USE: port ${broker.port} on 127.0.0.1 is already in use`);
  });
});
