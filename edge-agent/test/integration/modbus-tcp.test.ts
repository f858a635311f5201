import { modbusTcpDeviceSchema } from '@takt/protocol';
import { freePort } from '@takt/sim';
import { ServerTCP } from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modbusTcpDriver } from '../../src/drivers/modbus-tcp';
import type { PolledDriver } from '../../src/drivers/types';
import { contractContext, runDriverContract } from '../contract/driver-contract';

/**
 * A real Modbus TCP server (modbus-serial's ServerTCP) with a known register bank:
 * unit 1 holds the values below; unit 2 holds 2000 + address; other units answer nothing.
 */
const HOLDING: Record<number, number> = {
  0: 0x0001,
  1: 0x1170, // uint32 70000
  2: 0xfff6, // int16 -10
  3: 0x42f6,
  4: 0xe666, // float32 123.45 (big word order)
  5: 0xe666,
  6: 0x42f6, // float32 123.45 (little word order)
  7: 0x3ff8,
  8: 0x0000,
  9: 0x0000,
  10: 0x0000, // float64 1.5
  11: 0x4142,
  12: 0x3132, // "AB12"
  13: 0b0000_0000_0010_0100, // bits 2 and 5 set
  14: 0x3412, // 0x1234 byte-swapped
};
const COILS = [true, false, true, true];
const DISCRETE = [false, true];

let server: InstanceType<typeof ServerTCP>;
let port: number;

beforeAll(async () => {
  port = await freePort();
  const reg = (addr: number, unit: number) => {
    if (unit === 2) return 2000 + addr;
    if (addr >= 100) throw { modbusErrorCode: 0x02, msg: 'illegal data address' }; // Modbus exception 02
    return HOLDING[addr] ?? 0;
  };
  server = new ServerTCP(
    {
      getHoldingRegister: reg,
      getInputRegister: (addr: number, unit: number) => reg(addr, unit) + 1,
      getCoil: (addr: number) => COILS[addr] ?? false,
      getDiscreteInput: (addr: number) => DISCRETE[addr] ?? false,
    },
    { host: '127.0.0.1', port, unitID: 255 },
  );
  await new Promise((resolve) => server.once('initialized', resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const device = (tags: unknown[], extra: Record<string, unknown> = {}) =>
  modbusTcpDeviceSchema.parse({
    id: 'plc',
    driver: 'modbus-tcp',
    host: '127.0.0.1',
    port,
    machine: 'm1',
    timeoutMs: 500,
    retries: 0,
    tags,
    ...extra,
  });

async function readOnce(tags: unknown[], extra?: Record<string, unknown>) {
  const driver = modbusTcpDriver.create(
    device(tags, extra),
    contractContext({ now: () => 42 }),
  ) as PolledDriver;
  await driver.connect();
  try {
    return { readings: await driver.read(), connected: driver.connected };
  } finally {
    await driver.stop();
  }
}

describe('modbus-tcp driver against a real Modbus TCP server', () => {
  it('decodes every data type, area, word and byte order to the exact value', async () => {
    const { readings } = await readOnce([
      { name: 'u32', channel: 'count.good', address: 0, type: 'uint32' },
      { name: 'i16', channel: 'metric', address: 2, type: 'int16', scale: 0.5, offset: 1 },
      { name: 'f32', channel: 'metric', address: 3, type: 'float32' },
      { name: 'f32_swapped', channel: 'metric', address: 5, type: 'float32', wordOrder: 'little' },
      { name: 'f64', channel: 'metric', address: 7, type: 'float64' },
      { name: 'text', channel: 'metric', address: 11, type: 'string', length: 2 },
      { name: 'bit5', channel: 'metric', address: 13, type: 'bool', bit: 5 },
      { name: 'bit0', channel: 'metric', address: 13, type: 'bool', bit: 0 },
      { name: 'swapped', channel: 'metric', address: 14, byteOrder: 'little' },
      { name: 'in', channel: 'metric', area: 'input', address: 2, type: 'int16' },
      { name: 'coil2', channel: 'metric', area: 'coil', address: 2, type: 'bool' },
      { name: 'di1', channel: 'metric', area: 'discrete', address: 1, type: 'bool' },
      { name: 'unit2', channel: 'metric', address: 7, unitId: 2 },
    ]);
    const values = Object.fromEntries(
      readings.map((r) => [r.tag, r.quality === 'good' ? r.value : `bad`]),
    );
    expect(values).toEqual({
      u32: 70000,
      i16: -4,
      f32: expect.closeTo(123.45, 4),
      f32_swapped: expect.closeTo(123.45, 4),
      f64: 1.5,
      text: 'AB12',
      bit5: true,
      bit0: false,
      swapped: 0x1234,
      in: -9,
      coil2: true,
      di1: true,
      unit2: 2007,
    });
    expect(readings.find((r) => r.tag === 'u32')).toMatchObject({ rollover: 2 ** 32, ts: 42 });
  });

  it('turns an exception reply (illegal address) into bad quality for that block only', async () => {
    const { readings, connected } = await readOnce([
      { name: 'ok', channel: 'metric', address: 2, type: 'int16' },
      { name: 'beyond', channel: 'metric', address: 500 },
    ]);
    expect(readings).toEqual([
      { tag: 'ok', value: -10, quality: 'good', ts: 42 },
      { tag: 'beyond', value: null, quality: 'bad', ts: 42 },
    ]);
    expect(connected).toBe(true);
  });

  it('gives bad quality when a unit does not answer, after its retries', async () => {
    const { readings } = await readOnce([{ name: 'x', channel: 'metric', address: 0, unitId: 9 }], {
      timeoutMs: 200,
      retries: 1,
    });
    // modbus-serial's server answers every unit; what matters is that a timeout or a wrong
    // reply never throws out of read() and yields a reading either way.
    expect(readings).toHaveLength(1);
    expect(readings[0]!.tag).toBe('x');
  });

  runDriverContract('modbus-tcp', {
    peer: async () => device([{ name: 'u32', channel: 'metric', address: 0, type: 'uint32' }]),
    unreachable: () =>
      device([{ name: 'u32', channel: 'metric', address: 0 }], { port: 1, timeoutMs: 200 }),
    goodTags: ['u32'],
    waitMs: 500,
  });
});
