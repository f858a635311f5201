import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialScannerDeviceSchema } from '@takt/protocol';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serialScannerDriver } from '../../src/drivers/serial-scanner';
import type { PushDriver, ReadingSink, TagReading } from '../../src/drivers/types';
import { contractContext, runDriverContract } from '../contract/driver-contract';
import { startPtyPair, type PtyPair, type PtyWriter } from '@takt/sim';

/**
 * The scanner driver against real pseudo-terminals: socat joins `<name>-a` (the driver's
 * port) and `<name>-b` (where the test types like a scanner). Every socat is stopped by PID.
 */

const NOW = 1_700_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'takt-scanner-'));
const pairs: PtyPair[] = [];
const writers: PtyWriter[] = [];
const drivers: PushDriver[] = [];

async function pair(name: string): Promise<PtyPair> {
  const p = await startPtyPair(join(dir, `${name}-a`), join(dir, `${name}-b`));
  pairs.push(p);
  return p;
}

async function writerFor(p: PtyPair): Promise<PtyWriter> {
  const w = await p.writer();
  writers.push(w);
  return w;
}

afterAll(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.stop(2000)));
  await Promise.all(writers.splice(0).map((w) => w.close().catch(() => undefined)));
  await Promise.all(pairs.splice(0).map((p) => p.stop()));
  rmSync(dir, { recursive: true, force: true });
});

const PATTERNS = [
  {
    name: 'wo-op-start',
    regex: '^(?<workOrder>WO-\\d+)\\|(?<operation>OP\\d+)\\|START$',
    set: { action: 'start' },
  },
  { name: 'wo-op', regex: '^WO(?<workOrder>\\d+)-(?<operation>OP\\d+)$', set: { action: 'done' } },
];

const device = (path: string, extra: Record<string, unknown> = {}) =>
  serialScannerDeviceSchema.parse({
    id: 'scanner1',
    driver: 'serial-scanner',
    machine: 'station-10',
    path,
    baudRate: 9600,
    patterns: PATTERNS,
    ...extra,
  });

/** What the driver told its sink, and what it logged. */
class Recorder implements ReadingSink {
  readonly got: TagReading[] = [];
  readonly connections: boolean[] = [];
  readonly logs: { level: number; msg: string; [k: string]: unknown }[] = [];
  readonly log = pino(
    { level: 'debug' },
    { write: (line: string) => this.logs.push(JSON.parse(line)) },
  );
  readings(readings: TagReading[]): void {
    this.got.push(...readings);
  }
  connection(connected: boolean): void {
    this.connections.push(connected);
  }
  get values(): unknown[] {
    return this.got.map((r) => r.value);
  }
  logged(msg: string) {
    return this.logs.filter((l) => l.msg === msg);
  }
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startDriver(path: string, extra?: Record<string, unknown>) {
  const rec = new Recorder();
  const driver = serialScannerDriver.create(
    device(path, extra),
    contractContext({ now: () => NOW, log: rec.log }),
  ) as PushDriver;
  drivers.push(driver);
  await driver.start(rec);
  return { driver, rec };
}

/** Writes `end` after `lines` and waits for it: everything before it has been handled then. */
async function sendAndSettle(w: PtyWriter, rec: Recorder, data: (string | Buffer)[], end = 'END') {
  for (const chunk of data) await w.write(chunk);
  await w.write(`${end}\r\n`);
  await until(`${end} scan`, () => rec.values.includes(end));
}

const scan = (value: string, fields: Record<string, string>): TagReading => ({
  tag: 'scan',
  value,
  quality: 'good',
  ts: NOW,
  scan: fields,
});

describe('serial-scanner driver on a socat pty pair', () => {
  let main: PtyPair;
  let w: PtyWriter;
  beforeAll(async () => {
    main = await pair('main');
    w = await writerFor(main);
  });
  afterEach(async () => {
    await Promise.all(drivers.splice(0).map((d) => d.stop(2000)));
  });

  it('strips prefix and suffix and fills fields from named groups and `set`', async () => {
    const { driver, rec } = await startDriver(main.a, { prefix: '\u0002', suffix: '\u0003' });
    expect(driver.connected).toBe(true);
    expect(rec.connections).toEqual([true]);
    await sendAndSettle(w, rec, [
      '\u0002WO-1001|OP10|START\u0003\r\n',
      '\u0002WO2002-OP20\u0003\r',
    ]);
    expect(rec.got).toEqual([
      scan('WO-1001|OP10|START', { workOrder: 'WO-1001', operation: 'OP10', action: 'start' }),
      scan('WO2002-OP20', { workOrder: '2002', operation: 'OP20', action: 'done' }),
      scan('END', { action: 'unknown' }),
    ]);
  });

  it('publishes an unknown code with action unknown, for CR, LF and CRLF endings alike', async () => {
    const { rec } = await startDriver(main.a);
    await sendAndSettle(w, rec, ['CR-1\r', 'LF-2\n', 'CRLF-3\r\n', 'CR-4\rLF-5\nCRLF-6\r\n']);
    expect(rec.got).toEqual(
      ['CR-1', 'LF-2', 'CRLF-3', 'CR-4', 'LF-5', 'CRLF-6', 'END'].map((code) =>
        scan(code, { action: 'unknown' }),
      ),
    );
  });

  it('makes a double scan one scan, and the same code after the window a new one', async () => {
    // A window far wider than the 100 ms between sightings, so a slow machine cannot stretch
    // that gap past it; the new sighting waits until the repeat is seen, then past the window.
    const { rec } = await startDriver(main.a, { debounceMs: 2000 });
    const code = 'WO-1001|OP10|START\r\n';
    await w.write(code + code); // a double trigger: both in one burst
    await until('first scan', () => rec.got.length === 1);
    await sleep(100);
    await w.write(code); // 100 ms later: still the same scan
    await until('the repeat ignored', () => rec.logged('repeated scan ignored').length === 2);
    await sleep(2200);
    await sendAndSettle(w, rec, [code]); // 2.2 s after the last sighting: a new scan
    expect(rec.values).toEqual(['WO-1001|OP10|START', 'WO-1001|OP10|START', 'END']);
    expect(rec.logged('repeated scan ignored')).toHaveLength(2);
  });

  it('drops garbage (binary noise, control characters, a 500-character line) and logs a count', async () => {
    const { rec } = await startDriver(main.a);
    // Random bytes without line ends, led by 0xff 0x00 so that the verdict is certain.
    const noise = Buffer.concat([
      Buffer.from([0xff, 0x00]),
      Buffer.from(randomBytes(200).filter((b) => b !== 0x0a && b !== 0x0d)),
    ]);
    await sendAndSettle(
      w,
      rec,
      [noise, '\r\n', 'WO-1\u0007BEL\r\n', `${'Z'.repeat(500)}\n`, 'WO2002-OP20\r\n'],
      'WO-1001|OP10|START',
    );
    expect(rec.got).toEqual([
      scan('WO2002-OP20', { workOrder: '2002', operation: 'OP20', action: 'done' }),
      scan('WO-1001|OP10|START', { workOrder: 'WO-1001', operation: 'OP10', action: 'start' }),
    ]);
    const dropped = rec.logged('scanner line dropped as garbage');
    expect(dropped.map((l) => [l.reason, l.garbageLines, l.level])).toEqual([
      ['invalid-utf8', 1, 40],
      ['control-character', 2, 40],
      ['too-long', 3, 40],
    ]);
    expect(dropped[0]!.head).toBe(noise.subarray(0, 16).toString('hex'));
  });

  it('drops a partial line left without a terminator, so it cannot spoil the next scan', async () => {
    const { rec } = await startDriver(main.a);
    await w.write('noise-without-terminator');
    await until(
      'unterminated drop',
      () => rec.logged('scanner line dropped as garbage').length > 0,
    );
    await sendAndSettle(w, rec, ['WO2002-OP20\r']);
    expect(rec.values).toEqual(['WO2002-OP20', 'END']);
    expect(rec.logged('scanner line dropped as garbage')[0]).toMatchObject({
      reason: 'unterminated',
      garbageLines: 1,
    });
  });

  it('reports the port vanishing, reopens with backoff and reads again once it is back', async () => {
    const hot = await pair('hot');
    let hw = await hot.writer();
    const { driver, rec } = await startDriver(hot.a);
    await hw.write('BEFORE\r');
    await until('BEFORE', () => rec.values.includes('BEFORE'));

    await hw.close();
    await hot.stop(); // the scanner is unplugged
    pairs.splice(pairs.indexOf(hot), 1);
    await until('connection down', () => rec.connections.length === 2);
    expect(driver.connected).toBe(false);
    expect(rec.logged('scanner port lost; reopening')).toHaveLength(1);

    // The first reopen, 1 s after the loss, finds no port.
    await until('the first reopen', () => rec.logged('cannot open scanner port').length > 0);
    expect(rec.logged('cannot open scanner port')).toHaveLength(1);
    const back = await pair('hot'); // plugged in again, same path
    hw = await writerFor(back);
    await until('connection up again', () => rec.connections.length === 3, 5000);
    expect(driver.connected).toBe(true);
    await hw.write('AFTER\r\n');
    await until('AFTER', () => rec.values.includes('AFTER'));
    expect(rec.connections).toEqual([true, false, true]);
    expect(rec.values).toEqual(['BEFORE', 'AFTER']);
  });

  it('returns from start() when the port is absent, and opens it once it appears', async () => {
    const t0 = Date.now();
    const { driver, rec } = await startDriver(join(dir, 'late-a'));
    // It does not wait for the port (which appears only below); the bound is loose for CI.
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(driver.connected).toBe(false);
    expect(rec.connections).toEqual([false]);
    const late = await pair('late');
    const lw = await writerFor(late);
    await until('connection up', () => driver.connected, 5000);
    await lw.write('LATE\n');
    await until('LATE', () => rec.values.includes('LATE'));
    expect(rec.connections).toEqual([false, true]);
  });
});

describe('serial-scanner driver contract', () => {
  let peer: PtyPair;
  let timer: NodeJS.Timeout | undefined;
  beforeAll(async () => {
    peer = await pair('contract');
    const pw = await writerFor(peer);
    // The scanner "scans" every 200 ms, so whichever driver has the port open gets codes.
    timer = setInterval(() => void pw.write('WO-9|OP10|START\r\n').catch(() => undefined), 200);
  });
  afterAll(() => clearInterval(timer));

  runDriverContract('serial-scanner', {
    peer: async () => device(peer.a),
    unreachable: () => device(join(dir, 'no-such-port')),
    goodTags: ['scan'],
  });
});
