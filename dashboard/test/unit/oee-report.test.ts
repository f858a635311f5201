import { describe, expect, it } from 'vitest';
import {
  combineOee,
  mergeDowntime,
  paretoRows,
  shiftReportCells,
  sumLosses,
  toCsv,
  trendPoints,
  type PeriodRow,
} from '../../src/lib/oee-report';

const H = 3_600_000;

function row(over: Partial<PeriodRow>): PeriodRow {
  return {
    machine: 'press-01',
    shift: 'early',
    name: 'Early',
    date: '2026-11-23',
    from: '2026-11-22T22:00:00.000Z',
    to: '2026-11-23T06:00:00.000Z',
    plannedBusyMs: 8 * H,
    runMs: 6 * H,
    totalCount: 100,
    goodCount: 90,
    availability: 0.75,
    performance: 0.5,
    quality: 0.9,
    oee: 0.3375,
    losses: null,
    ...over,
  };
}

describe('OEE of several machines or periods', () => {
  it('adds ideal times, not ratios (ISO 22400-2: the union, not the mean)', () => {
    const a = row({});
    // A second machine: 2 h planned, all run, P 100 %, Q 100 %.
    const b = row({
      plannedBusyMs: 2 * H,
      runMs: 2 * H,
      totalCount: 10,
      goodCount: 10,
      availability: 1,
      performance: 1,
      quality: 1,
      oee: 1,
    });
    const c = combineOee([a, b]);
    expect(c.availability).toBeCloseTo(8 / 10);
    // ideal total: 0.5 × 6 h + 1 × 2 h = 5 h over 8 h run
    expect(c.performance).toBeCloseTo(5 / 8);
    // ideal good: 0.9 × 3 h + 2 h = 4.7 h over 5 h
    expect(c.quality).toBeCloseTo(4.7 / 5);
    expect(c.oee).toBeCloseTo(4.7 / 10);
    expect(c.oee).toBeCloseTo(c.availability! * c.performance! * c.quality!);
    expect(c.totalCount).toBe(110);
  });

  it('adds up the time not monitored (before a first data) apart from planned time', () => {
    const c = combineOee([row({ notMonitoredMs: 2 * H }), row({}), row({ notMonitoredMs: H })]);
    expect([c.plannedBusyMs, c.notMonitoredMs]).toEqual([24 * H, 3 * H]);
    const cells = shiftReportCells([row({ notMonitoredMs: 90 * 60_000 })], [], () => '');
    expect(cells[0]!.slice(5, 8)).toEqual(['480.0', '360.0', '90.0']);
  });

  it('leaves P, Q and OEE unknown when a part made pieces with no ideal cycle', () => {
    const c = combineOee([row({}), row({ performance: null, quality: null, oee: null })]);
    expect(c.availability).toBeCloseTo(0.75);
    expect(c.performance).toBeNull();
    expect(c.oee).toBeNull();
  });

  it('ignores parts that made nothing for P and Q, but counts their planned time', () => {
    const idle = row({
      runMs: 0,
      totalCount: 0,
      goodCount: 0,
      performance: null,
      quality: null,
      oee: 0,
    });
    const c = combineOee([row({}), idle]);
    expect(c.performance).toBeCloseTo(0.5);
    expect(c.oee).toBeCloseTo((0.3375 * 8) / 16);
  });

  it('groups the trend per shift occurrence or per plant day, oldest first', () => {
    const rows = [
      row({ shift: 'late', name: 'Late', from: '2026-11-23T06:00:00.000Z' }),
      row({ machine: 'press-02' }),
      row({}),
    ];
    const perShift = trendPoints(rows, 'shift');
    expect(perShift.map((p) => p.label)).toEqual(['2026-11-23 Early', '2026-11-23 Late']);
    expect(perShift[0]!.plannedBusyMs).toBe(16 * H);
    const perDay = trendPoints(rows, 'day');
    expect(perDay).toHaveLength(1);
    expect(perDay[0]!.plannedBusyMs).toBe(24 * H);
  });
});

describe('downtime Pareto and the six big losses', () => {
  it('merges the lines, sorts longest first and accumulates the share', () => {
    const merged = mergeDowntime([
      [
        { reason: '10', state: 'down', durationMs: 30 * 60_000, stops: 1 },
        { reason: 'unassigned', state: 'down', durationMs: 10 * 60_000, stops: 2 },
      ],
      [{ reason: '10', state: 'down', durationMs: 20 * 60_000, stops: 1 }],
      [{ reason: 'unassigned', state: 'idle', durationMs: 40 * 60_000, stops: 1 }],
    ]);
    const rows = paretoRows(merged, (e) => `${e.reason}/${e.state}`);
    expect(rows.map((r) => r.label)).toEqual(['10/down', 'unassigned/idle', 'unassigned/down']);
    expect(rows.map((r) => r.stops)).toEqual([2, 1, 2]);
    expect(rows.map((r) => r.cumulativePct)).toEqual([50, 90, 100]);
  });

  it('has no cumulative share of nothing', () => {
    expect(paretoRows([], () => '')).toEqual([]);
  });

  it('adds the six big losses, unknown if one part is', () => {
    const losses = {
      breakdownsMs: 1,
      setupsMs: 2,
      smallStopsMs: 3,
      reducedSpeedMs: 4,
      startupRejectsMs: 5,
      productionRejectsMs: 6,
      fullyProductiveMs: 7,
    };
    expect(sumLosses([{ losses }, { losses }])).toEqual({
      breakdownsMs: 2,
      setupsMs: 4,
      smallStopsMs: 6,
      reducedSpeedMs: 8,
      startupRejectsMs: 10,
      productionRejectsMs: 12,
      fullyProductiveMs: 14,
    });
    expect(sumLosses([{ losses }, { losses: null }])).toBeNull();
    expect(sumLosses([])).toBeNull();
  });
});

describe('shift report', () => {
  it('is one row per shift × machine, oldest first, machines in plant order', () => {
    const cells = shiftReportCells(
      [
        row({ machine: 'press-02' }),
        row({ shift: 'late', name: 'Late', from: '2026-11-23T06:00:00.000Z', oee: null }),
        row({}),
      ],
      ['press-01', 'press-02'],
      (ms) => new Date(ms).toISOString().slice(11, 16),
    );
    expect(cells.map((c) => `${c[1]} ${c[2]}`)).toEqual([
      'Early press-01',
      'Early press-02',
      'Late press-01',
    ]);
    expect(cells[0]).toEqual([
      '2026-11-23',
      'Early',
      'press-01',
      '22:00',
      '06:00',
      '480.0',
      '360.0',
      '0.0',
      '90',
      '10',
      '75.0',
      '50.0',
      '90.0',
      '33.8',
    ]);
    expect(cells[2]![13]).toBe(''); // unknown OEE stays empty, never 0
  });

  it('writes CSV with quotes where needed, CRLF and a BOM', () => {
    const csv = toCsv(['a', 'b,c'], [['1', 'say "hi"']]);
    expect(csv).toBe('\uFEFFa,"b,c"\r\n1,"say ""hi"""\r\n');
  });
});
