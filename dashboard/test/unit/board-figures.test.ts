import { describe, expect, it } from 'vitest';
import { lineOutput, reasonName, topStops } from '../../src/boards/line-figures';
import type { ShiftOee } from '../../src/boards/shift-oee';
import { tileFigures } from '../../src/boards/tile-figures';
import { plannedModes } from '../../src/lib/machine-state';
import type { PlantModel } from '../../src/plant/plant-model';
import { iso, machine, T0 } from './machine-fixture';

const plant = {
  site: { id: 's', name: 'S', timeZone: 'UTC' },
  lines: [
    {
      id: 'line-1',
      name: 'Line 1',
      machines: [
        { id: 'a', name: 'A', product: 'p' },
        { id: 'b', name: 'B', product: 'p', targets: { outputPerHour: 900 } },
      ],
    },
  ],
  products: [{ id: 'p', name: 'P', idealCycleMs: 2000 }],
  shifts: [],
  holidays: [],
  reasons: {
    downtime: [{ id: 'mech', name: 'Mechanical', children: [{ id: '10', name: 'Hydraulics' }] }],
    reject: [],
  },
  targets: {},
} as unknown as PlantModel;

describe('tile figures from the shift poll and the live counts', () => {
  const midnight = iso(T0 - 8 * 3_600_000);
  const shift: ShiftOee = {
    site: 's1',
    serverTime: iso(T0),
    shift: null,
    from: midnight,
    to: iso(T0),
    inShift: true,
    countsSince: midnight,
    machines: [
      {
        id: 'a',
        line: 'line-1',
        plannedBusyMs: 3_600_000,
        runMs: 3_240_000,
        notMonitoredMs: 0,
        goodCount: 1000,
        totalCount: 1000,
        availability: 0.9,
        performance: 0.8,
        quality: 1,
        oee: 0.72,
        liveOffset: 0,
      },
    ],
  };

  it('counts live, targets the ideal rate over planned time so far, carries the OEE', () => {
    const a = machine({
      id: 'a',
      counts: { good: 1200, reject: 3, since: midnight },
      mode: 'production',
    });
    // 60 s after the poll: 1 h 1 min planned at 1800 an hour = 1830.
    const figures = tileFigures([a], shift, T0, T0 + 60_000, plant, plannedModes(null)).get('a')!;
    expect(figures).toEqual({
      good: 1200,
      target: 1830,
      status: 'behind',
      oee: 0.72,
      availability: 0.9,
      performance: 0.8,
      quality: 1,
    });
  });

  it('leaves out machines the poll does not know yet', () => {
    expect(
      tileFigures([machine({ id: 'new' })], shift, T0, T0, plant, plannedModes(null)).size,
    ).toBe(0);
  });
});

describe('line output and reason names', () => {
  it('sums machines per hour, scaling a target to outputPerHour', () => {
    const h0 = iso(T0);
    const h1 = iso(T0 + 3_600_000);
    const hours = lineOutput(plant, [
      {
        machine: 'a',
        hours: [
          { hourStart: h0, actual: 1500, target: 1800 },
          { hourStart: h1, actual: 100, target: 900 },
        ],
      },
      // b: ideal 1800 an hour, target 900: half the API's ideal target.
      { machine: 'b', hours: [{ hourStart: h0, actual: 800, target: 1800 }] },
    ]);
    expect(hours).toEqual([
      { hourStartMs: T0, actual: 2300, target: 2700 },
      { hourStartMs: T0 + 3_600_000, actual: 100, target: 900 },
    ]);
  });

  it('names reasons from the plant tree, else shows the code', () => {
    expect(reasonName(plant, '10')).toBe('Hydraulics');
    expect(reasonName(plant, 'mech')).toBe('Mechanical');
    expect(reasonName(plant, '99')).toBe('99');
    expect(reasonName(plant, 'no_data')).toBeNull(); // ingest's own: labelled by the screen
  });
});

describe('topStops', () => {
  it('adds up rows that read the same, longest first, the top n', () => {
    const rows = [
      { name: 'Offline / no data', durationMs: 7_000, stops: 2 },
      { name: 'Hydraulics', durationMs: 9_000, stops: 1 },
      { name: 'Offline / no data', durationMs: 4_000, stops: 8 },
      { name: 'Tooling', durationMs: 1_000, stops: 1 },
    ];
    expect(topStops(rows, 2)).toEqual([
      { name: 'Offline / no data', durationMs: 11_000, stops: 10 },
      { name: 'Hydraulics', durationMs: 9_000, stops: 1 },
    ]);
  });
});
