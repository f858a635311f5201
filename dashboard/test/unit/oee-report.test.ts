import { describe, expect, it } from 'vitest';
import {
  mergeDowntime,
  paretoRows,
  shiftReportCells,
  toCsv,
  trendPoints,
  type ShiftReportRow,
} from '../../src/lib/oee-report';

const H = 3_600_000;

/** A shift's figures, machines added up (what `shifts` holds: no machine). */
function shift(over: Partial<ShiftReportRow>) {
  const { machine, ...figures } = row(over);
  void machine;
  return figures;
}

function row(over: Partial<ShiftReportRow>): ShiftReportRow {
  return {
    machine: 'press-01',
    shift: 'early',
    name: 'Early',
    date: '2026-11-23',
    from: '2026-11-22T22:00:00.000Z',
    to: '2026-11-23T06:00:00.000Z',
    calendarMs: 8 * H,
    plannedBusyMs: 8 * H,
    runMs: 6 * H,
    totalCount: 100,
    goodCount: 90,
    availability: 0.75,
    performance: 0.5,
    performanceAbove100: false,
    quality: 0.9,
    yield: 0.9,
    oee: 0.3375,
    teep: 0.3375,
    downMs: 2 * H,
    microstopMs: 0,
    setupMs: 0,
    notMonitoredMs: 0,
    losses: null,
    modes: {},
    ...over,
  };
}

describe('the OEE trend (figures added up by the server)', () => {
  it('labels each shift occurrence or plant day, oldest first', () => {
    const early = shift({});
    const late = { ...early, shift: 'late', name: 'Late', from: '2026-11-23T06:00:00.000Z' };
    const report = {
      shifts: [late, early],
      days: [{ ...early, date: '2026-11-23', plannedBusyMs: 16 * H }],
    };
    const perShift = trendPoints(report, 'shift');
    expect(perShift.map((p) => p.label)).toEqual(['2026-11-23 Early', '2026-11-23 Late']);
    expect(perShift.map((p) => p.key)).toEqual(['2026-11-23 early', '2026-11-23 late']);
    expect(perShift[0]!.fromMs).toBe(Date.parse(early.from));
    const perDay = trendPoints(report, 'day');
    expect(perDay).toHaveLength(1);
    expect(perDay[0]).toMatchObject({ label: '2026-11-23', plannedBusyMs: 16 * H });
  });

  it('labels a plant day without a calendar by its date alone', () => {
    const day = shift({ shift: 'day', name: '' });
    expect(trendPoints({ shifts: [day], days: [] }, 'shift')[0]!.label).toBe('2026-11-23');
  });

  it('shows the time not monitored (before a first data) apart from planned time', () => {
    const cells = shiftReportCells([row({ notMonitoredMs: 90 * 60_000 })], [], () => '');
    expect(cells[0]!.slice(5, 8)).toEqual(['480.0', '360.0', '90.0']);
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

  it('defuses text a spreadsheet would run as a formula, not negative numbers', () => {
    const csv = toCsv(['shift'], [['=HYPERLINK("http://x","y")'], ['@SUM(A1)'], ['-3.5']]);
    expect(csv).toBe(`\uFEFFshift\r\n"'=HYPERLINK(""http://x"",""y"")"\r\n'@SUM(A1)\r\n-3.5\r\n`);
  });
});
