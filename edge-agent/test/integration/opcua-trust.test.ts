import { createHash, X509Certificate } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { opcuaDeviceSchema } from '@takt/protocol';
import { startOpcuaServer, type SimOpcuaServer, type SimValues } from '@takt/sim';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DriverContext, PushDriver, TagReading } from '../../src/drivers/types';

/*
 * Issue 18 finding 12 against the real node-opcua server of sim/src/opcua-server.ts: the
 * server's certificate is judged by the device's `trust` setting; a wrong pin is refused with
 * an error naming the thumbprint, the right pin connects, trust on first use connects, logs
 * the thumbprint and from then on refuses another certificate (a man in the middle).
 */
const root = mkdtempSync(join(tmpdir(), 'takt-opcua-trust-'));
process.env.HOME = join(root, 'home'); // node-opcua's defaults must not land in $HOME
const MACHINE = 'cnc-01';
const values: SimValues = { good: 7, reject: 0, state: 'running', temperatureC: 40 };

let opcuaDriver: typeof import('../../src/drivers/opcua').opcuaDriver;
let server: SimOpcuaServer;
const servers: SimOpcuaServer[] = [];
const running: PushDriver[] = [];
let stateNo = 0;

const startServer = (pkiDir: string) =>
  startOpcuaServer({
    pkiDir,
    machines: [{ id: MACHINE, values: () => values }],
    autoAcceptCertificates: true,
    log: pino({ level: 'silent' }),
  });

/** The DER of a sim server's own certificate, as a plant engineer would read it off the machine. */
function serverCertificate(pkiDir: string): Buffer {
  const dir = join(pkiDir, 'server/own/certs');
  const pem = readdirSync(dir).find((n) => n.endsWith('.pem'))!;
  return new X509Certificate(readFileSync(join(dir, pem))).raw;
}
const sha = (alg: 'sha1' | 'sha256', der: Buffer) => createHash(alg).update(der).digest('hex');

function device(trust: Record<string, unknown>, endpointUrl = server.endpointUrl) {
  return opcuaDeviceSchema.parse({
    id: 'cnc-ua',
    driver: 'opcua',
    endpointUrl,
    machine: MACHINE,
    publishingIntervalMs: 100,
    connectTimeoutMs: 5000,
    trust,
    tags: [{ name: 'good_count', channel: 'count.good', nodeId: `ns=1;s=${MACHINE}.GoodCount` }],
  });
}

async function connect(
  config: ReturnType<typeof device>,
  stateDir = join(root, `state-${++stateNo}`),
) {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (l: string) => lines.push(JSON.parse(l)) });
  const ctx: DriverContext = { log, now: Date.now, stateDir, env: {} };
  const driver = opcuaDriver.create(config, ctx) as PushDriver;
  running.push(driver);
  const readings: TagReading[] = [];
  await driver.start({ readings: (r) => readings.push(...r), connection: () => undefined });
  return { driver, lines, readings, stateDir };
}

async function waitFor(what: string, condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const said = (lines: Array<Record<string, unknown>>, msg: string) =>
  lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith(msg));

beforeAll(async () => {
  ({ opcuaDriver } = await import('../../src/drivers/opcua'));
  server = await startServer(join(root, 'server-pki'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop(2000)));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('OPC UA server certificates are judged by the device config (issue 18)', () => {
  it('refuses a certificate that matches no pin, naming its thumbprints', async () => {
    const der = serverCertificate(join(root, 'server-pki'));
    const { driver, lines, readings } = await connect(device({ thumbprints: ['ab'.repeat(32)] }));
    expect(driver.connected).toBe(false);
    const down = said(lines, 'OPC UA device down');
    expect(down?.err).toContain('EDGE_ERR_OPCUA_UNTRUSTED');
    expect(down?.err).toContain(`SHA-256 ${sha('sha256', der)}`);
    expect(down?.err).toContain(`SHA-1 ${sha('sha1', der)}`);
    expect(down?.err).toContain('matches no pinned thumbprint');
    expect(readings.every((r) => r.quality === 'bad')).toBe(true);
  });

  it('connects with the right pin (SHA-256, or SHA-1 with colons), at the most secure endpoint offered', async () => {
    const der = serverCertificate(join(root, 'server-pki'));
    const sha1 = sha('sha1', der).toUpperCase().match(/../g)!.join(':');
    for (const pin of [sha('sha256', der), `sha1:${sha1}`]) {
      const { driver, lines, readings } = await connect(device({ thumbprints: [pin] }));
      expect(driver.connected, pin).toBe(true);
      // The sim offers None, Sign and SignAndEncrypt with Basic256Sha256.
      expect(said(lines, 'OPC UA device connected')?.security).toBe(
        'SignAndEncrypt/Basic256Sha256',
      );
      await waitFor("the server's value", () =>
        readings.some((r) => r.quality === 'good' && r.value === 7),
      );
      await driver.stop(2000);
    }
  });

  it('trusts certificates a trusted folder holds', async () => {
    const folder = join(root, 'trusted');
    mkdirSync(folder);
    const own = join(root, 'server-pki/server/own/certs');
    copyFileSync(
      join(
        own,
        readdirSync(own).find((n) => n.endsWith('.pem'))!,
      ),
      join(folder, 'cnc.pem'),
    );
    const { driver } = await connect(device({ trustedFolder: folder }));
    expect(driver.connected).toBe(true);
    const { driver: empty, lines } = await connect(
      device({ trustedFolder: join(root, 'nothing') }),
    );
    expect(empty.connected).toBe(false);
    expect(said(lines, 'OPC UA device down')?.err).toContain('EDGE_ERR_OPCUA_TRUSTED_FOLDER');
  });

  it('trusts on first use only when told, logs the thumbprint, then refuses another certificate', async () => {
    const der = serverCertificate(join(root, 'server-pki'));
    const first = await connect(device({ trustOnFirstUse: true }));
    expect(first.driver.connected).toBe(true);
    expect(said(first.lines, 'OPC UA server certificate trusted on first use')).toMatchObject({
      device: 'cnc-ua',
      sha256: sha('sha256', der),
      sha1: sha('sha1', der),
    });
    expect(existsSync(join(first.stateDir, 'opcua-pki/first-use/cnc-ua.json'))).toBe(true);
    await first.driver.stop(2000);

    // Another server (another key) where the machine was: the first-use pin refuses it.
    const impostor = await startServer(join(root, 'impostor-pki'));
    servers.push(impostor);
    const other = serverCertificate(join(root, 'impostor-pki'));
    const again = await connect(
      device({ trustOnFirstUse: true }, impostor.endpointUrl),
      first.stateDir,
    );
    expect(again.driver.connected).toBe(false);
    const err = String(said(again.lines, 'OPC UA device down')?.err);
    expect(err).toContain(`SHA-256 ${sha('sha256', other)}`);
    expect(err).toContain(
      `not the certificate trusted on first use (SHA-256 ${sha('sha256', der)})`,
    );
  });

  it('needs a trust setting unless the config writes securityMode: None', () => {
    const base = {
      id: 'cnc-ua',
      driver: 'opcua',
      endpointUrl: 'opc.tcp://10.0.0.5:4840',
      machine: MACHINE,
      tags: [{ name: 'good_count', channel: 'count.good', nodeId: 'i=1' }],
    };
    const missing = opcuaDeviceSchema.safeParse(base);
    expect(missing.success).toBe(false);
    expect(missing.error?.issues[0]).toMatchObject({ path: ['trust'] });
    expect(
      opcuaDeviceSchema.safeParse({ ...base, trust: { trustOnFirstUse: false } }).success,
    ).toBe(false);
    expect(opcuaDeviceSchema.safeParse({ ...base, securityMode: 'None' }).success).toBe(true);
    expect(
      opcuaDeviceSchema.safeParse({ ...base, trust: { thumbprints: ['12:34'] } }).success,
    ).toBe(false);
  });
});
