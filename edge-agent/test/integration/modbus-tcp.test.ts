import { modbusTcpDeviceSchema, type Scenario } from '@takt/protocol';
import { startSim, type RunningSim } from '@takt/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createDriver } from '../../src';

const scenario: Scenario = {
  name: 'test',
  host: '127.0.0.1',
  machines: [
    {
      id: 'press-01',
      port: 0,
      unitId: 1,
      cycleTimeMs: 1000,
      rejectRate: 0,
      schedule: [{ state: 'running', durationS: 60 }],
      temperature: { baseC: 40, swingC: 0, periodS: 60 },
    },
  ],
};
const testLog = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
let sim: RunningSim;
beforeAll(async () => {
  sim = await startSim(scenario, { log: testLog });
});
afterAll(() => sim.stop());

const device = (port: number, tags: unknown[]) =>
  modbusTcpDeviceSchema.parse({
    id: 'plc',
    driver: 'modbus-tcp',
    host: '127.0.0.1',
    port,
    machine: 'press-01',
    timeoutMs: 500,
    tags,
  });

describe('modbus-tcp driver against a real Modbus TCP server', () => {
  it('reads the exact register values the PLC holds', async () => {
    const plc = sim.machines.get('press-01')!;
    plc.pin({ good: 70_000, reject: 12, state: 'down', temperatureC: -3.5 });
    const driver = createDriver(
      device(plc.port, [
        { name: 'good_count', channel: 'count.good', address: 0, type: 'uint32' },
        { name: 'reject_count', channel: 'count.reject', address: 2, type: 'uint32' },
        { name: 'state', channel: 'state', address: 4, states: { '3': 'down' } },
        { name: 'temperature', channel: 'metric', address: 5, type: 'int16', scale: 0.1 },
      ]),
      { log: testLog, now: () => 42 },
    );
    await driver.connect();
    const readings = await driver.read();
    await driver.stop();
    expect(readings).toEqual([
      { tag: 'good_count', value: 70_000, quality: 'good', ts: 42, rollover: 2 ** 32 },
      { tag: 'reject_count', value: 12, quality: 'good', ts: 42, rollover: 2 ** 32 },
      { tag: 'state', value: 3, quality: 'good', ts: 42 },
      { tag: 'temperature', value: -3.5, quality: 'good', ts: 42 },
    ]);
  });

  it('turns an exception reply (illegal address) into bad quality without dropping the connection', async () => {
    const plc = sim.machines.get('press-01')!;
    const driver = createDriver(
      device(plc.port, [
        { name: 'temperature', channel: 'metric', address: 5, type: 'int16' },
        { name: 'beyond', channel: 'metric', address: 500 },
      ]),
      { log: testLog, now: () => 1 },
    );
    await driver.connect();
    const readings = await driver.read();
    expect(readings.find((r) => r.tag === 'beyond')).toEqual({
      tag: 'beyond',
      value: null,
      quality: 'bad',
      ts: 1,
    });
    expect(readings.find((r) => r.tag === 'temperature')?.quality).toBe('good');
    expect(driver.connected).toBe(true);
    await driver.stop();
  });

  it('fails to connect to a dead device and reads bad quality', async () => {
    const driver = createDriver(device(1, [{ name: 'x', channel: 'metric', address: 0 }]), {
      log: testLog,
      now: () => 7,
    });
    await expect(driver.connect()).rejects.toThrow();
    expect(await driver.read()).toEqual([{ tag: 'x', value: null, quality: 'bad', ts: 7 }]);
  });
});
