import { describe, expect, it } from 'vitest';
import { gaugeReading, simulateMachine } from '../../src/machine-model';

/*
 * The virtual factory's gauge (sim/scenarios/demo.yaml `gauge`; docs/decisions.md "Issue 23 —
 * measurements, limits and spc alerts"): each piece measures the same every time, around
 * nominal, with a drift that comes back every `everyPieces`.
 */
const gauge = { nominalMm: 25, sigmaMm: 0.006, drift: { everyPieces: 150, pieces: 30, mm: 0.03 } };

describe('the sim gauge', () => {
  it('measures a piece the same every time, near nominal outside the drift', () => {
    const pieces = Array.from({ length: 100 }, (_, i) => 40 + i);
    const values = pieces.map((p) => gaugeReading(gauge, p));
    expect(pieces.map((p) => gaugeReading(gauge, p))).toEqual(values);
    for (const v of values) expect(Math.abs(v - 25)).toBeLessThanOrEqual(2 * Math.sqrt(3) * 0.006);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(Math.abs(mean - 25)).toBeLessThan(0.003);
    // A value that changes per piece: OPC UA reports a change, so two equal pieces in a row
    // would be one reading.
    expect(values.every((v, i) => i === 0 || v !== values[i - 1])).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(90);
  });

  it('drifts up to +mm over the drift pieces, then starts again', () => {
    const end = gaugeReading(gauge, 150 + 29);
    expect(end - 25).toBeGreaterThan(0.03 - 2 * Math.sqrt(3) * 0.006);
    expect(Math.abs(gaugeReading({ ...gauge, sigmaMm: 0 }, 150 + 29) - 25.03)).toBeLessThan(1e-9);
    expect(gaugeReading({ ...gauge, sigmaMm: 0 }, 150 + 30)).toBe(25);
  });

  it('is a value of the machine only where the scenario gives it a gauge', () => {
    const machine = {
      id: 'cnc-01',
      port: 0,
      unitId: 1,
      cycleTimeMs: 1000,
      rejectRate: 0,
      schedule: [{ state: 'running' as const, durationS: 60 }],
      temperature: { baseC: 40, swingC: 0, periodS: 60 },
    };
    expect(simulateMachine(machine, 10_500).diameterMm).toBeUndefined();
    const withGauge = simulateMachine({ ...machine, gauge }, 10_500);
    expect(withGauge.diameterMm).toBe(gaugeReading(gauge, 10));
  });
});
