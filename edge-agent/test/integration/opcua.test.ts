import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { opcuaDeviceSchema, type OpcuaDeviceConfig } from '@takt/protocol';
import { startOpcuaServer, type SimOpcuaServer, type SimValues } from '@takt/sim';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DriverContext, PushDriver, TagReading } from '../../src/drivers/types';
import { runDriverContract } from '../contract/driver-contract';

// node-opcua keeps default certificates under $HOME: give this file a HOME of its own, set
// before node-opcua loads (the driver is imported in beforeAll, the sim loads it on start),
// and check at the end that nothing went there.
const root = mkdtempSync(join(tmpdir(), 'takt-opcua-test-'));
const home = join(root, 'home');
process.env.HOME = home;
const stateDir = join(root, 'edge-state');
const serverPki = join(root, 'server-pki');

const MACHINE = 'press-01';
const USER = { username: 'operator', password: 'line-3-secret' };
const machineValues: SimValues = { good: 100, reject: 2, state: 'running', temperatureC: 40 };

let opcuaDriver: typeof import('../../src/drivers/opcua').opcuaDriver;
let server: SimOpcuaServer;
/** Servers a test starts besides the shared one, stopped after it whatever happens. */
const ownServers: SimOpcuaServer[] = [];
const startServer = (port?: number) =>
  startOpcuaServer({
    port,
    pkiDir: serverPki,
    machines: [{ id: MACHINE, values: () => machineValues }],
    users: [USER],
    autoAcceptCertificates: true,
    log: pino({ level: 'silent' }),
  });

/** A pino logger whose lines the test reads. */
function capturedLog(): { log: DriverContext['log']; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

const node = (variable: string) => `ns=1;s=${MACHINE}.${variable}`;
const TAGS = [
  { name: 'good_count', channel: 'count.good', nodeId: node('GoodCount') },
  { name: 'reject_count', channel: 'count.reject', nodeId: node('RejectCount') },
  { name: 'state', channel: 'state', nodeId: node('State'), states: { '1': 'running' } },
  { name: 'temperature', channel: 'metric', nodeId: node('Temperature'), unit: '°C' },
];

function device(overrides: Record<string, unknown> = {}, endpointUrl = server.endpointUrl) {
  return opcuaDeviceSchema.parse({
    id: 'press-opcua',
    driver: 'opcua',
    endpointUrl,
    machine: MACHINE,
    publishingIntervalMs: 100,
    connectTimeoutMs: 3000,
    securityMode: 'None', // trust is opcua-trust.test.ts's

    tags: TAGS.map((t) => ({ ...t, samplingIntervalMs: 50 })),
    ...overrides,
  });
}

const running: PushDriver[] = [];
function start(config: OpcuaDeviceConfig, ctx: Partial<DriverContext> = {}) {
  const driver = opcuaDriver.create(config, {
    log: pino({ level: 'silent' }),
    now: Date.now,
    stateDir,
    env: {},
    ...ctx,
  }) as PushDriver;
  running.push(driver);
  const readings: TagReading[] = [];
  const connections: boolean[] = [];
  /** Readings and connection changes in the order the sink got them. */
  const timeline: Array<TagReading | boolean> = [];
  const started = driver.start({
    readings: (r) => {
      readings.push(...r);
      timeline.push(...r);
    },
    connection: (c) => {
      connections.push(c);
      timeline.push(c);
    },
  });
  return { driver, readings, connections, timeline, started };
}

async function waitFor(what: string, condition: () => boolean, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const last = (readings: TagReading[], tag: string) => readings.filter((r) => r.tag === tag).at(-1);

beforeAll(async () => {
  ({ opcuaDriver } = await import('../../src/drivers/opcua'));
  server = await startServer();
  // The first connection creates the client certificate (~1 s): do it once, here.
  const { driver, started } = start(device());
  await started;
  await driver.stop(2000);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop(2000)));
  await Promise.all(ownServers.splice(0).map((s) => s.stop()));
});

afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('opcua driver against a real node-opcua server', () => {
  runDriverContract('opcua', {
    peer: async () => device(),
    // a port nothing listens on: the server of this file is stopped at the end only
    unreachable: () => device({}, 'opc.tcp://127.0.0.1:1'),
    goodTags: ['good_count', 'reject_count', 'state', 'temperature'],
    waitMs: 1500,
    ctx: { stateDir },
  });

  it('delivers the exact values set on the server, and their changes', async () => {
    server.setValue(MACHINE, 'Temperature', 87.5);
    server.setValue(MACHINE, 'GoodCount', 12345);
    const tags = [
      ...TAGS,
      { name: 'temp_f', channel: 'metric', nodeId: node('Temperature'), scale: 1.8, offset: 32 },
    ];
    const { driver, readings, connections, started } = start(device({ tags }));
    await started;
    expect(driver.connected).toBe(true);
    expect(connections).toEqual([true]);
    await waitFor(
      'the pinned values',
      () =>
        last(readings, 'temperature')?.value === 87.5 &&
        last(readings, 'good_count')?.value === 12345,
    );
    expect(last(readings, 'good_count')).toMatchObject({
      value: 12345,
      quality: 'good',
      rollover: 2 ** 32,
    });
    expect(last(readings, 'temperature')).toMatchObject({ value: 87.5, quality: 'good' });
    expect(last(readings, 'temperature')!.rollover).toBeUndefined();
    expect(last(readings, 'state')).toMatchObject({ value: 1, quality: 'good' });
    expect(last(readings, 'temp_f')!.value as number).toBeCloseTo(87.5 * 1.8 + 32, 9);
    expect(Math.abs(last(readings, 'temperature')!.ts - Date.now())).toBeLessThan(5000);

    // a data change on the server arrives by itself: no read, no poll
    server.setValue(MACHINE, 'Temperature', 91.25);
    server.setValue(MACHINE, 'GoodCount', 12346);
    await waitFor(
      'the changed values',
      () =>
        last(readings, 'temperature')?.value === 91.25 &&
        last(readings, 'good_count')?.value === 12346,
    );
    server.release(MACHINE);
  });

  it('survives a server restart on the same port: down, bad once, good again', async () => {
    const own = await startServer();
    ownServers.push(own);
    const { driver, readings, connections, timeline, started } = start(device({}, own.endpointUrl));
    await started;
    await waitFor('first readings', () => readings.some((r) => r.quality === 'good'));

    await own.stop();
    await waitFor('connection(false)', () => connections.includes(false));
    expect(driver.connected).toBe(false);
    const restarted = await startServer(own.port);
    ownServers.push(restarted);
    restarted.setValue(MACHINE, 'GoodCount', 777);
    await waitFor(
      'good readings after the restart',
      () => last(readings, 'good_count')?.value === 777,
    );
    expect(connections).toEqual([true, false, true]);
    expect(driver.connected).toBe(true);
    // between down and up again: each tag once, with bad quality and no value
    const whileDown = timeline.slice(timeline.indexOf(false) + 1, timeline.lastIndexOf(true));
    expect(whileDown.map((r) => (r as TagReading).tag).sort()).toEqual(
      TAGS.map((t) => t.name).sort(),
    );
    expect(
      whileDown.every(
        (r) => (r as TagReading).quality === 'bad' && (r as TagReading).value === null,
      ),
    ).toBe(true);
  });

  it('an unknown node id reads bad with a log line; the other tags stay good', async () => {
    const { log, lines } = capturedLog();
    const tags = [
      ...TAGS,
      { name: 'ghost', channel: 'metric', nodeId: node('DoesNotExist') },
      { name: 'garbled', channel: 'metric', nodeId: 'ns=1;x=not-a-node-id' },
    ];
    const { driver, readings, started } = start(device({ tags }), { log });
    await started;
    await waitFor('readings', () =>
      ['ghost', 'garbled', 'temperature'].every((t) => last(readings, t)),
    );
    expect(driver.connected).toBe(true);
    expect(last(readings, 'ghost')).toMatchObject({ value: null, quality: 'bad' });
    expect(last(readings, 'garbled')).toMatchObject({ value: null, quality: 'bad' });
    expect(last(readings, 'temperature')?.quality).toBe('good');
    expect(last(readings, 'good_count')?.quality).toBe('good');
    const warning = lines.find((l) => l.level === 40 && l.tag === 'ghost');
    expect(warning).toMatchObject({ nodeId: node('DoesNotExist'), status: 'BadNodeIdUnknown' });
    expect(lines.some((l) => l.level === 40 && l.tag === 'garbled')).toBe(true);
  });

  it('asks the server for deadband filters: absolute and percent (needs an EURange)', async () => {
    const { log, lines } = capturedLog();
    server.setValue(MACHINE, 'Temperature', 60);
    const temperature = { channel: 'metric', nodeId: node('Temperature'), samplingIntervalMs: 50 };
    const tags = [
      { name: 'temperature', ...temperature },
      { name: 'temp_abs', ...temperature, serverDeadband: { type: 'absolute', value: 0.5 } },
      { name: 'temp_pct', ...temperature, serverDeadband: { type: 'percent', value: 1 } },
      // GoodCount is a plain variable without EURange: the server refuses a percent deadband
      {
        name: 'count_pct',
        channel: 'count.good',
        nodeId: node('GoodCount'),
        serverDeadband: { type: 'percent', value: 1 },
      },
    ];
    const { readings, started } = start(device({ tags }), { log });
    await started;
    await waitFor('initial values', () => tags.every((t) => last(readings, t.name)));
    expect(last(readings, 'count_pct')).toMatchObject({ value: null, quality: 'bad' });
    expect(lines.some((l) => l.level === 40 && l.tag === 'count_pct')).toBe(true);

    server.setValue(MACHINE, 'Temperature', 60.3); // inside both deadbands (1 % of 300 = 3)
    await waitFor('the small change', () => last(readings, 'temperature')?.value === 60.3);
    await new Promise((r) => setTimeout(r, 300));
    expect(last(readings, 'temp_abs')?.value).toBe(60);
    expect(last(readings, 'temp_pct')?.value).toBe(60);

    server.setValue(MACHINE, 'Temperature', 62); // beyond the absolute one only
    await waitFor('the absolute deadband', () => last(readings, 'temp_abs')?.value === 62);
    expect(last(readings, 'temp_pct')?.value).toBe(60);
    server.setValue(MACHINE, 'Temperature', 70);
    await waitFor('the percent deadband', () => last(readings, 'temp_pct')?.value === 70);
    server.release(MACHINE);
  });

  it('logs in with username and password, and fails cleanly with a wrong password', async () => {
    const login = { username: USER.username, passwordEnv: 'PRESS_OPCUA_PASSWORD' };
    const good = start(device(login), { env: { PRESS_OPCUA_PASSWORD: USER.password } });
    await good.started;
    expect(good.driver.connected).toBe(true);
    await waitFor('good readings', () => good.readings.some((r) => r.quality === 'good'));

    const { log, lines } = capturedLog();
    const bad = start(device(login), { env: { PRESS_OPCUA_PASSWORD: 'wrong-guess' }, log });
    await bad.started;
    expect(bad.driver.connected).toBe(false);
    expect(bad.connections).toEqual([false]);
    expect(bad.readings.length).toBe(TAGS.length);
    expect(bad.readings.every((r) => r.quality === 'bad' && r.value === null)).toBe(true);
    const logged = JSON.stringify(lines);
    expect(logged).toMatch(/BadUserAccessDenied|BadIdentityTokenRejected|BadIdentityTokenInvalid/);
    expect(logged).not.toContain('wrong-guess');

    expect(() =>
      opcuaDriver.create(device(login), { log, now: Date.now, stateDir, env: {} }),
    ).toThrow(/EDGE_ERR_OPCUA_NO_PASSWORD.*PRESS_OPCUA_PASSWORD/);
  });

  it.each(['Sign', 'SignAndEncrypt'] as const)(
    'connects with %s / Basic256Sha256, its certificate kept under stateDir',
    async (securityMode) => {
      const { driver, readings, started } = start(
        device({
          securityMode,
          securityPolicy: 'Basic256Sha256',
          trust: { trustOnFirstUse: true },
        }),
      );
      await started;
      expect(driver.connected).toBe(true);
      await waitFor('good readings', () =>
        TAGS.every((t) => last(readings, t.name)?.quality === 'good'),
      );
      expect(existsSync(join(stateDir, 'opcua-pki/own/certs/client_certificate.pem'))).toBe(true);
      // the server trusted the client's certificate, the client the server's (first use)
      expect(readdirSync(join(serverPki, 'server/trusted/certs')).length).toBeGreaterThan(0);
      expect(existsSync(join(stateDir, 'opcua-pki/first-use/press-opcua.json'))).toBe(true);
    },
  );

  it('leaves $HOME alone', () => {
    expect(existsSync(join(home, '.config/node-opcua-default-nodejs'))).toBe(false);
  });
});
