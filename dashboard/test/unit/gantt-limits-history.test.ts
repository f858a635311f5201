import { describe, expect, it } from 'vitest';
import { ganttBars, ganttRange, type GanttOperation } from '../../src/lib/gantt';
import { historyUrl, tagSeries, zoomWindow } from '../../src/lib/history-series';
import { ruleLimits, watchedTags } from '../../src/lib/rule-limits';

const T0 = Date.parse('2026-11-23T08:00:00Z');
const iso = (min: number) => new Date(T0 + min * 60_000).toISOString();
const op = (over: Partial<GanttOperation>): GanttOperation => ({
  id: 'OP10',
  machine: 'press-01',
  status: 'pending',
  good: 0,
  rejected: 0,
  startedAt: null,
  completedAt: null,
  ...over,
});

describe('Gantt bars', () => {
  it('draws each run of an operation and its planned span at the ideal cycle', () => {
    const bars = ganttBars({
      operations: [
        op({ status: 'done', startedAt: iso(0), completedAt: iso(50) }),
        op({ id: 'OP20', machine: 'cnc-01', status: 'running', startedAt: iso(60) }),
        op({ id: 'OP30', machine: 'cnc-02' }),
      ],
      runs: new Map([
        [
          'OP10',
          [
            { from: iso(0), to: iso(20) },
            { from: iso(30), to: iso(50) },
          ],
        ],
      ]),
      quantity: 100,
      idealCycleMs: 18_000, // 100 pieces: 30 min
      createdAtMs: T0 - 60 * 60_000,
      nowMs: T0 + 70 * 60_000,
    });
    const actual = bars.filter((b) => b.kind === 'actual');
    expect(actual.map((b) => [b.operation, b.fromMs, b.toMs])).toEqual([
      ['OP10', T0, T0 + 20 * 60_000],
      ['OP10', T0 + 30 * 60_000, T0 + 50 * 60_000],
      // no runs known: from its start scan to now
      ['OP20', T0 + 60 * 60_000, T0 + 70 * 60_000],
    ]);
    const planned = bars.filter((b) => b.kind === 'planned');
    expect(planned.map((b) => [b.row, b.fromMs, b.toMs])).toEqual([
      [0, T0, T0 + 30 * 60_000],
      [1, T0 + 60 * 60_000, T0 + 90 * 60_000],
      // not started: after the previous planned end
      [2, T0 + 90 * 60_000, T0 + 120 * 60_000],
    ]);
  });

  it('draws no planned bars without an ideal cycle, and a range around what is there', () => {
    const bars = ganttBars({
      operations: [op({})],
      runs: new Map(),
      quantity: 10,
      idealCycleMs: null,
      createdAtMs: T0,
      nowMs: T0,
    });
    expect(bars).toEqual([]);
    expect(ganttRange(bars, [null], T0)).toEqual({ minMs: T0 - 3_600_000, maxMs: T0 + 3_600_000 });
    const range = ganttRange(
      [
        {
          row: 0,
          operation: 'x',
          machine: 'm',
          kind: 'actual',
          status: 'done',
          fromMs: T0,
          toMs: T0 + 100_000,
        },
      ],
      [T0 + 200_000],
      T0,
    );
    expect(range.minMs).toBeLessThan(T0);
    expect(range.maxMs).toBeGreaterThan(T0 + 200_000);
  });
});

describe('rule limits on a trend', () => {
  const rules = [
    {
      id: 'hot',
      name: 'Too hot',
      kind: 'threshold',
      machines: ['cnc-01'],
      tag: 'temperature',
      above: 58,
      severity: 'warning',
    },
    {
      id: 'band',
      kind: 'threshold',
      machines: ['cnc-01', 'cnc-02'],
      tag: 'pressure',
      above: 8,
      below: 2,
    },
    {
      id: 'off',
      kind: 'threshold',
      enabled: false,
      machines: ['cnc-01'],
      tag: 'temperature',
      above: 99,
    },
    { id: 'down', kind: 'machine-down', machines: ['cnc-01'] },
  ];

  it('takes above and below of the enabled threshold rules on that machine and tag', () => {
    expect(ruleLimits(rules, 'cnc-01', 'temperature')).toEqual([
      { rule: 'hot', label: 'Too hot', side: 'above', value: 58, severity: 'warning' },
    ]);
    expect(ruleLimits(rules, 'cnc-02', 'pressure').map((l) => [l.side, l.value, l.label])).toEqual([
      ['above', 8, 'band'],
      ['below', 2, 'band'],
    ]);
    expect(ruleLimits(rules, 'press-01', 'temperature')).toEqual([]);
  });

  it('lists the watched tags of a machine', () => {
    expect(watchedTags(rules, 'cnc-01')).toEqual(['temperature', 'pressure']);
  });
});

describe('history for charts', () => {
  it('reads raw values, or bucket averages with the min–max band', () => {
    const raw = tagSeries(
      {
        machine: 'm',
        from: '',
        to: '',
        bucket: 'raw',
        bucketSeconds: null,
        source: 'samples',
        columns: ['t', 'value', 'quality'],
        series: [{ tag: 'temperature', points: [[1000, 50.5, 192]] }],
      },
      'temperature',
    );
    expect(raw).toEqual({ tag: 'temperature', bucket: 'raw', line: [[1000, 50.5]], band: [] });
    const buckets = tagSeries(
      {
        machine: 'm',
        from: '',
        to: '',
        bucket: '1m',
        bucketSeconds: 60,
        source: 'samples_1m',
        columns: ['t', 'min', 'max', 'avg', 'last', 'count'],
        series: [{ tag: 'temperature', points: [[60_000, 1, 3, 2, 3, 10]] }],
      },
      'temperature',
    );
    expect(buckets.line).toEqual([[60_000, 2]]);
    expect(buckets.band).toEqual([[60_000, 1, 3]]);
  });

  it('turns a zoom into the narrower window to re-query, never under 10 s', () => {
    expect(zoomWindow(0, 100_000, 50, 100)).toEqual({ fromMs: 50_000, toMs: 100_000 });
    expect(zoomWindow(0, 100_000, 50, 50)).toEqual({ fromMs: 50_000, toMs: 60_000 });
  });

  it('asks for raw rows once the window is short enough, buckets otherwise', () => {
    const short = new URL(historyUrl('cnc-01', ['temperature'], 0, 300_000, 1600), 'http://x');
    expect(short.searchParams.get('bucket')).toBe('raw');
    expect(short.searchParams.get('points')).toBe('800');
    const wide = new URL(historyUrl('cnc-01', ['temperature'], 0, 86_400_000, 1600), 'http://x');
    expect(wide.searchParams.get('bucket')).toBe('auto');
  });
});
