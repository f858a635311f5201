import { describe, expect, it } from 'vitest';
import {
  mondayOf,
  plantDayList,
  plantWeeks,
  rejectPareto,
  scrapSeries,
  trendOf,
} from '../../src/domain/kpi-weeks';

const SH = 'Asia/Shanghai';

describe('plant weeks', () => {
  it('starts weeks on Monday at midnight in the plant time zone', () => {
    // Sunday 2026-12-06 23:30 in Shanghai is 15:30 UTC; Monday 00:30 there is Sunday 16:30 UTC.
    expect(mondayOf(Date.parse('2026-12-06T15:30:00Z'), SH)).toBe('2026-11-30');
    expect(mondayOf(Date.parse('2026-12-06T16:30:00Z'), SH)).toBe('2026-12-07');
    expect(mondayOf(Date.parse('2026-12-06T16:30:00Z'), 'UTC')).toBe('2026-11-30');
  });

  it('lists weeks oldest first, the last cut at now', () => {
    const now = Date.parse('2026-12-09T04:00:00Z'); // Wednesday noon in Shanghai
    const weeks = plantWeeks(now, SH, 9);
    expect(weeks).toHaveLength(9);
    expect(weeks.at(-1)).toEqual({
      start: '2026-12-07',
      from: Date.parse('2026-12-06T16:00:00Z'),
      to: now,
    });
    expect(weeks[0]!.start).toBe('2026-10-12');
    for (let i = 1; i < weeks.length; i++) expect(weeks[i]!.from).toBe(weeks[i - 1]!.to);
  });

  it('makes a week across a DST change 167 hours long', () => {
    const weeks = plantWeeks(Date.parse('2026-04-01T12:00:00Z'), 'Europe/Berlin', 2);
    // Clocks went forward on Sunday 2026-03-29.
    expect(weeks[0]!.start).toBe('2026-03-23');
    expect((weeks[0]!.to - weeks[0]!.from) / 3_600_000).toBe(167);
  });

  it('lists the plant days of a window', () => {
    const from = Date.parse('2026-12-06T16:00:00Z');
    expect(plantDayList(from, from + 3 * 86_400_000, SH)).toEqual([
      '2026-12-07',
      '2026-12-08',
      '2026-12-09',
    ]);
  });
});

describe('trendOf', () => {
  it('compares this week with the mean of the earlier weeks that have a value', () => {
    const t = trendOf([0.8, null, 0.9, 0.95], true);
    expect(t.current).toBe(0.95);
    expect(t.mean).toBeCloseTo(0.85, 12);
    expect(t.delta).toBeCloseTo(0.1, 12);
    expect(t.better).toBe(true);
  });

  it('calls a fall better when lower is better, and no change neither', () => {
    expect(trendOf([0.04, 0.06, 0.03], false).better).toBe(true);
    expect(trendOf([0.04, 0.06, 0.07], false).better).toBe(false);
    expect(trendOf([2, 2], true).better).toBeNull();
    expect(trendOf([2, 2.05], true, 0.1).better).toBeNull();
  });

  it('has no trend without a current value or earlier weeks', () => {
    expect(trendOf([0.5, null], true)).toEqual({
      current: null,
      mean: 0.5,
      delta: null,
      better: null,
    });
    expect(trendOf([null, 0.5], true).mean).toBeNull();
  });
});

describe('rejectPareto', () => {
  it('sums reasons, sorts biggest first with the counter last among ties, and accumulates', () => {
    const bars = rejectPareto([
      { reason: 'burr', pieces: 3 },
      { reason: null, pieces: 5 },
      { reason: 'crack', pieces: 5 },
      { reason: 'burr', pieces: 7 },
      { reason: 'dent', pieces: 0 },
    ]);
    expect(bars.map((b) => [b.reason, b.pieces])).toEqual([
      ['burr', 10],
      ['crack', 5],
      [null, 5],
    ]);
    expect(bars.map((b) => b.share)).toEqual([0.5, 0.25, 0.25]);
    expect(bars.map((b) => b.cumulative)).toEqual([0.5, 0.75, 1]);
  });

  it('is empty without rejects', () => {
    expect(rejectPareto([{ reason: 'burr', pieces: 0 }])).toEqual([]);
  });
});

describe('scrapSeries', () => {
  it('gives each group a rate per day, null without pieces, most rejected first', () => {
    const days = ['2026-12-07', '2026-12-08', '2026-12-09'];
    const series = scrapSeries(
      [
        { group: 'P1', date: '2026-12-07', good: 90, rejected: 10 },
        { group: 'P1', date: '2026-12-09', good: 45, rejected: 5 },
        { group: 'P1', date: '2026-12-09', good: 50, rejected: 0 },
        { group: 'P2', date: '2026-12-08', good: 99, rejected: 1 },
        { group: 'P3', date: '2026-12-08', good: 0, rejected: 0 },
      ],
      days,
    );
    expect(series.map((s) => s.group)).toEqual(['P1', 'P2', 'P3']);
    expect(series[0]).toEqual({ group: 'P1', rates: [0.1, null, 0.05], good: 185, rejected: 15 });
    expect(series[1]!.rates).toEqual([null, 0.01, null]);
    expect(series[2]!.rates).toEqual([null, null, null]);
  });
});
