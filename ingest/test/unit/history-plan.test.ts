import { describe, expect, it } from 'vitest';
import { bucketLabel, parseBucket, planHistory } from '../../src/queries/history-plan';

const H = 3_600_000;
const DAY = 24 * H;
const from = Date.UTC(2026, 10, 1);

const plan = (windowMs: number, points = 1000, bucket = 'auto') =>
  planHistory({ fromMs: from, toMs: from + windowMs, points, bucket });

describe('planHistory', () => {
  it('reads a year of one-second data from the hourly rollup as a few thousand points', () => {
    const result = plan(365 * DAY, 2000);
    expect(result).toMatchObject({ ok: true, plan: { bucketS: 21_600, source: 'samples_1h' } });
    expect(365 * 4).toBeLessThanOrEqual(2000);
  });

  it('picks the smallest bucket of the ladder that fits the chart width', () => {
    expect(plan(30 * DAY, 1000)).toMatchObject({ plan: { bucketS: 3600, source: 'samples_1h' } });
    expect(plan(1 * DAY, 1000)).toMatchObject({ plan: { bucketS: 120, source: 'samples_1m' } });
    expect(plan(1 * H, 1000)).toMatchObject({ plan: { bucketS: 5, source: 'samples' } });
    expect(plan(60_000, 1000)).toMatchObject({ plan: { bucketS: 1, source: 'samples' } });
  });

  it('never reads raw rows for windows over a day, even for a wide chart', () => {
    expect(plan(2 * DAY, 10_000)).toMatchObject({ plan: { bucketS: 60, source: 'samples_1m' } });
  });

  it('aligns the window to whole buckets', () => {
    const result = planHistory({
      fromMs: from + 10 * 60_000 + 5,
      toMs: from + 5 * DAY - 1,
      points: 100,
      bucket: '1h',
    });
    expect(result).toMatchObject({ ok: true, plan: { fromMs: from, toMs: from + 5 * DAY } });
  });

  it('serves raw rows for short windows only', () => {
    expect(plan(H, 1000, 'raw')).toMatchObject({ plan: { bucketS: null, source: 'samples' } });
    expect(plan(2 * DAY, 1000, 'raw')).toEqual({
      ok: false,
      reason: expect.stringMatching(/raw samples are served for windows up to 24 h/),
    });
  });

  it('refuses inverted, empty and enormous windows with a reason', () => {
    expect(planHistory({ fromMs: from, toMs: from - 1, points: 100, bucket: 'auto' })).toEqual({
      ok: false,
      reason: 'from must be before to',
    });
    expect(plan(0)).toMatchObject({ ok: false, reason: 'from must be before to' });
    expect(plan(20 * 365 * DAY)).toMatchObject({ ok: false, reason: /longer than 3660 days/ });
  });

  it('refuses bad buckets and point counts with a reason', () => {
    expect(plan(DAY, 1000, '5x')).toMatchObject({ ok: false, reason: /not raw, auto or a width/ });
    expect(plan(DAY, 1000, '0s')).toMatchObject({ ok: false });
    expect(plan(365 * DAY, 1000, '1m')).toMatchObject({ ok: false, reason: /525600 buckets/ });
    expect(plan(7 * DAY, 1000, '30s')).toMatchObject({
      ok: false,
      reason: /under a minute .* windows up to 24 h/,
    });
    expect(plan(DAY, 1)).toMatchObject({ ok: false, reason: /points must be/ });
    expect(plan(DAY, 20_000)).toMatchObject({ ok: false, reason: /points must be/ });
    expect(plan(DAY, 10.5)).toMatchObject({ ok: false });
  });

  it('reads minute rollups for whole-minute buckets and raw samples for the others', () => {
    expect(plan(DAY, 1000, '90s')).toMatchObject({ plan: { source: 'samples' } });
    expect(plan(DAY, 1000, '15m')).toMatchObject({ plan: { source: 'samples_1m' } });
    expect(plan(10 * DAY, 1000, '2h')).toMatchObject({ plan: { source: 'samples_1h' } });
  });
});

describe('bucket labels', () => {
  it('parses and names widths', () => {
    expect(parseBucket('5m')).toBe(300);
    expect(parseBucket('raw')).toBeNull();
    expect(parseBucket('1.5h')).toBeUndefined();
    expect(bucketLabel(90)).toBe('90s');
    expect(bucketLabel(21_600)).toBe('6h');
    expect(bucketLabel(86_400)).toBe('1d');
  });
});
