import { loadYamlConfig, plantModelSchema } from '@takt/protocol';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ALERT_RULES_PER_MACHINE,
  plantMachines,
  plantModelYaml,
  plantOrders,
  scansAt,
} from '../bench/plant-model';
import { plantArgs } from '../bench/plant';
import { busyPercent } from '../bench/plant-procs';
import { summarizeProfile } from '../bench/plant-profile';
import { LatencyHistogram, percentile } from '../bench/plant-stats';
import {
  FULL_SPEED,
  FullSpeedWindows,
  MachineSpeed,
  slowdownOf,
  unitCpuMs,
} from '../bench/machine-speed';

// The plant bench's pure pieces (bench/plant*.ts): its figures and its synthetic plant.
describe('plant bench figures', () => {
  it('takes nearest-rank percentiles of a sorted list', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 95)).toBe(95);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('gives the same percentiles from the histogram, merged and through its IPC form', () => {
    const a = new LatencyHistogram(1000);
    const b = new LatencyHistogram(1000);
    for (let i = 1; i <= 50; i++) a.add(i);
    for (let i = 51; i <= 100; i++) b.add(i + 0.4); // rounded to whole ms
    b.add(5000); // past maxMs: counted at maxMs
    a.merge(b);
    expect(a.count).toBe(101);
    expect(a.percentile(50)).toBe(51);
    expect(a.percentile(99)).toBe(100);
    expect(a.percentile(100)).toBe(1000);
    const copy = LatencyHistogram.fromPairs(a.toPairs(), 1000);
    expect(copy.count).toBe(101);
    expect(copy.percentile(50)).toBe(51);
    a.reset();
    expect(a.percentile(50)).toBeNull();
  });

  it("takes the machine's busy share between two readings of its jiffies", () => {
    expect(busyPercent({ busy: 100, total: 400 }, { busy: 250, total: 600 })).toBe(75);
    expect(busyPercent({ busy: 5, total: 9 }, { busy: 5, total: 9 })).toBe(0);
  });

  it('reads --machines and --minutes, refusing what is not a count', () => {
    expect(plantArgs([])).toEqual({ machines: 1000, minutes: 15 });
    expect(plantArgs(['plant', '--machines', '200', '--minutes', '0.5'])).toEqual({
      machines: 200,
      minutes: 0.5,
    });
    expect(() => plantArgs(['--machines', '2.5'])).toThrow('--machines takes a whole number');
    expect(() => plantArgs(['--minutes', 'x'])).toThrow('--minutes takes a number');
  });
});

describe('plant bench profile', () => {
  it('ranks functions and files by their own samples', () => {
    const node = (
      id: number,
      functionName: string,
      url: string,
      lineNumber: number,
      hitCount: number,
    ) => ({
      id,
      callFrame: { functionName, url, lineNumber },
      hitCount,
    });
    const summary = summarizeProfile(
      {
        nodes: [
          node(1, '(root)', '', -1, 0),
          node(2, '(idle)', '', -1, 50),
          node(3, 'decode', 'file:///repo/ingest/src/decode.ts', 9, 30),
          node(4, 'decode', 'file:///repo/ingest/src/decode.ts', 9, 10),
          node(5, 'flush', 'file:///repo/ingest/src/writer.ts', 41, 10),
        ],
      },
      '/repo',
    );
    expect(summary.functions).toEqual([
      { selfPercent: 50, where: '(idle)' },
      { selfPercent: 40, where: 'decode ingest/src/decode.ts:10' },
      { selfPercent: 10, where: 'flush ingest/src/writer.ts:42' },
    ]);
    expect(summary.files[1]).toEqual({ selfPercent: 40, where: 'ingest/src/decode.ts' });
  });
});

describe('plant bench model', () => {
  it('makes a plant model ingest accepts: lines of 20, a gateway each, 5 rules per machine', () => {
    const gateways = plantMachines(45);
    expect(gateways.map((g) => g.machines.length)).toEqual([20, 20, 5]);
    expect(gateways[2]!.machines[0]).toEqual({
      id: 'm-0041',
      line: 'line-003',
      gateway: 'gw-line-003',
      index: 0,
    });
    expect(gateways.flatMap((g) => g.machines).filter(scansAt)).toHaveLength(4);
    const dir = mkdtempSync(join(tmpdir(), 'takt-plant-model-'));
    try {
      const file = join(dir, 'plant.yaml');
      writeFileSync(file, plantModelYaml(gateways));
      const plant = loadYamlConfig(file, plantModelSchema);
      expect(plant.lines).toHaveLength(3);
      expect(plant.lines[1]!.machines[19]!.gateway).toBe('gw-line-002');
      expect(plant.alerts.rules).toHaveLength(45 * ALERT_RULES_PER_MACHINE);
      expect(new Set(plant.alerts.rules.map((r) => r.kind))).toEqual(
        new Set(['threshold', 'rate', 'no-data', 'machine-down', 'oee-below']),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives each line one order over its first three machines', () => {
    const orders = plantOrders(plantMachines(41), Date.parse('2026-12-01T00:00:00Z'));
    expect(orders.map((o) => o.id)).toEqual(['WO-100001', 'WO-100002', 'WO-100003']);
    expect(orders[1]!.operations).toEqual([
      { id: 'OP10', machine: 'm-0021' },
      { id: 'OP20', machine: 'm-0022' },
      { id: 'OP30', machine: 'm-0023' },
    ]);
    expect(orders[2]!.operations).toEqual([{ id: 'OP10', machine: 'm-0041' }]);
    expect(orders[0]!.dueAt).toBe('2026-12-03T00:00:00.000Z');
  });

  it('refuses a machine count that is not a whole number', () => {
    expect(() => plantMachines(0)).toThrow('machines must be a whole number');
  });
});

describe('plant bench machine speed', () => {
  it("takes a window's slowdown as its median unit over the quiet machine's", () => {
    expect(slowdownOf([2, 1.6, 9, 1.7, 1.6], 1.6)).toBe(1.06);
    expect(slowdownOf([3.2, 3.3, 3.1], 1.6)).toBe(2);
    expect(slowdownOf([], 1.6)).toBeNull();
    // Nearest rank, as every p50 of the bench (plant-stats.ts `percentile`): the lower middle.
    expect(slowdownOf([3.2, 1.6], 1.6)).toBe(1);
  });

  it('measures the fixed work in CPU time, and a baseline from it', () => {
    expect(unitCpuMs()).toBeGreaterThan(0);
    const speed = MachineSpeed.calibrate(5);
    expect(speed.baselineMs).toBeGreaterThan(0);
    expect(speed.takeWindow()).toBeNull(); // nothing sampled yet
  });

  it('keeps the screen latencies of the windows at full speed only', () => {
    const windows = new FullSpeedWindows();
    const fast = new LatencyHistogram();
    for (let ms = 1; ms <= 100; ms++) fast.add(ms);
    const slow = new LatencyHistogram();
    for (let i = 0; i < 100; i++) slow.add(900);
    windows.add(1.02, fast);
    windows.add(FULL_SPEED + 0.01, slow);
    windows.add(FULL_SPEED, fast);
    windows.add(null, slow);
    expect(windows.figures()).toEqual({
      fullSpeedWindows: 2,
      windows: 3,
      screenP99MsAtFullSpeed: 99,
      machineSlowdown: { p50: FULL_SPEED, max: FULL_SPEED + 0.01 },
    });
  });
});
