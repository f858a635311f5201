import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modbusRtuDeviceSchema } from '@takt/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDriver } from '../../src/drivers/registry';
import type { PolledDriver } from '../../src/drivers/types';
import { contractContext, runDriverContract } from '../contract/driver-contract';
import { startModbusRtuServer, type ModbusRtuPeer } from '../peers/modbus-rtu-peer';
import { startPtyPair, type PtyPair } from '@takt/sim';

/**
 * The modbus-rtu driver against a real RTU slave: pymodbus 3.0 (Debian's python3) on one
 * end of a socat pty pair, the driver on the other. Register map: peers/modbus_rtu_server.py.
 */

const UNIT = 17;
const dir = mkdtempSync(join(tmpdir(), 'takt-rtu-'));
let line: PtyPair;
let server: ModbusRtuPeer;

beforeAll(async () => {
  line = await startPtyPair(join(dir, 'rtu-a'), join(dir, 'rtu-b'));
  server = await startModbusRtuServer(line.b, UNIT);
});
afterAll(async () => {
  await server?.stop();
  await line?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const device = (tags: unknown[], extra: Record<string, unknown> = {}) =>
  modbusRtuDeviceSchema.parse({
    id: 'rtu1',
    driver: 'modbus-rtu',
    path: line.a,
    baudRate: 9600,
    unitId: UNIT,
    machine: 'm1',
    timeoutMs: 500,
    retries: 0,
    tags,
    ...extra,
  });

async function readOnce(tags: unknown[], extra?: Record<string, unknown>) {
  const driver = (await createDriver(
    device(tags, extra),
    contractContext({ now: () => 42 }),
  )) as PolledDriver;
  expect(driver.mode).toBe('poll');
  await driver.connect();
  try {
    return { readings: await driver.read(), connected: driver.connected };
  } finally {
    await driver.stop(2000);
  }
}

const valuesOf = (readings: { tag: string; value: unknown; quality: string }[]) =>
  Object.fromEntries(readings.map((r) => [r.tag, r.quality === 'good' ? r.value : 'bad']));

describe('modbus-rtu driver against a pymodbus RTU slave on a pty', () => {
  it('reads every area and data type to the exact value', async () => {
    const { readings } = await readOnce([
      { name: 'u32', channel: 'count.good', address: 0, type: 'uint32' },
      { name: 'i16', channel: 'metric', address: 2, type: 'int16' },
      { name: 'f32', channel: 'metric', address: 3, type: 'float32' },
      { name: 'f32_swapped', channel: 'metric', address: 5, type: 'float32', wordOrder: 'little' },
      { name: 'f64', channel: 'metric', address: 7, type: 'float64' },
      { name: 'text', channel: 'metric', address: 11, type: 'string', length: 2 },
      { name: 'bit5', channel: 'metric', address: 13, type: 'bool', bit: 5 },
      { name: 'bit0', channel: 'metric', address: 13, type: 'bool', bit: 0 },
      { name: 'swapped', channel: 'metric', address: 14, byteOrder: 'little' },
      { name: 'in_u16', channel: 'metric', area: 'input', address: 0 },
      { name: 'in_i16', channel: 'metric', area: 'input', address: 1, type: 'int16' },
      { name: 'in_f32', channel: 'metric', area: 'input', address: 2, type: 'float32' },
      { name: 'coil0', channel: 'metric', area: 'coil', address: 0, type: 'bool' },
      { name: 'coil1', channel: 'metric', area: 'coil', address: 1, type: 'bool' },
      { name: 'coil9', channel: 'metric', area: 'coil', address: 9, type: 'bool' },
      { name: 'di0', channel: 'metric', area: 'discrete', address: 0, type: 'bool' },
      { name: 'di1', channel: 'metric', area: 'discrete', address: 1, type: 'bool' },
    ]);
    expect(valuesOf(readings)).toEqual({
      u32: 70000,
      i16: -10,
      f32: expect.closeTo(123.45, 4),
      f32_swapped: expect.closeTo(123.45, 4),
      f64: 1.5,
      text: 'AB12',
      bit5: true,
      bit0: false,
      swapped: 0x1234,
      in_u16: 1234,
      in_i16: -123,
      in_f32: -2.5,
      coil0: true,
      coil1: false,
      coil9: true,
      di0: false,
      di1: true,
    });
    expect(readings.find((r) => r.tag === 'u32')).toMatchObject({ rollover: 2 ** 32, ts: 42 });
  });

  it('turns an exception reply (unmapped address) into bad quality for that block only', async () => {
    const { readings, connected } = await readOnce([
      { name: 'ok', channel: 'metric', address: 2, type: 'int16' },
      { name: 'unmapped', channel: 'metric', address: 500 },
      { name: 'unmapped_coil', channel: 'metric', area: 'coil', address: 300, type: 'bool' },
    ]);
    expect(readings).toEqual([
      { tag: 'ok', value: -10, quality: 'good', ts: 42 },
      { tag: 'unmapped', value: null, quality: 'bad', ts: 42 },
      { tag: 'unmapped_coil', value: null, quality: 'bad', ts: 42 },
    ]);
    // An exception reply proves the slave is there: the line stays open.
    expect(connected).toBe(true);
  });

  it('gives bad quality for a silent unit only, keeping the line open for the others', async () => {
    const { readings, connected } = await readOnce(
      [
        { name: 'silent', channel: 'metric', address: 0, unitId: 9 },
        { name: 'ok', channel: 'metric', address: 2, type: 'int16' },
      ],
      { timeoutMs: 200 },
    );
    // The silent unit's block is planned first; the live unit after it still reads.
    expect(valuesOf(readings)).toEqual({ silent: 'bad', ok: -10 });
    expect(connected).toBe(true);
  });

  runDriverContract('modbus-rtu', {
    peer: async () => device([{ name: 'u32', channel: 'metric', address: 0, type: 'uint32' }]),
    unreachable: () =>
      device([{ name: 'u32', channel: 'metric', address: 0 }], {
        path: join(dir, 'no-such-port'),
        timeoutMs: 200,
      }),
    goodTags: ['u32'],
    waitMs: 1000,
  });
});
