import { describe, expect, it } from 'vitest';
import {
  analyticsWindow,
  currentShift,
  dayPeriods,
  plantMidnight,
  zonedEpoch,
} from '../../src/lib/analytics-window';
import type { PlantShift } from '../../src/plant/plant-model';

const ALL: PlantShift['days'] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const shift = (id: string, start: string, end: string, days = ALL): PlantShift => ({
  id,
  name: id,
  start,
  end,
  days,
  breaks: [],
});
const SHIFTS = [shift('early', '06:00', '14:00'), shift('late', '14:00', '22:00')];
const SH = 'Asia/Shanghai';

describe('analytics windows in the plant time zone', () => {
  it('finds the instant a plant clock shows a time, across daylight saving too', () => {
    expect(new Date(zonedEpoch({ y: 2026, m: 11, d: 23 }, 6 * 60, SH)).toISOString()).toBe(
      '2026-11-22T22:00:00.000Z',
    );
    // Berlin: 2026-03-29 02:00 → 03:00; 12:00 that day is CEST (UTC+2).
    expect(
      new Date(zonedEpoch({ y: 2026, m: 3, d: 29 }, 12 * 60, 'Europe/Berlin')).toISOString(),
    ).toBe('2026-03-29T10:00:00.000Z');
  });

  it('starts today at the plant midnight, not the browser one', () => {
    const now = Date.parse('2026-11-23T17:30:00Z'); // 01:30 on the 24th in Shanghai
    expect(new Date(plantMidnight(now, SH)).toISOString()).toBe('2026-11-23T16:00:00.000Z');
    const w = analyticsWindow('today', now, SH, SHIFTS);
    expect(w).toMatchObject({ fromMs: Date.parse('2026-11-23T16:00:00Z'), toMs: now });
    expect(w.bucket).toBe('shift');
  });

  it('takes the running shift from its start to now', () => {
    const now = Date.parse('2026-11-23T03:00:00Z'); // 11:00 Shanghai: early
    expect(currentShift(SHIFTS, now, SH)).toEqual({
      fromMs: Date.parse('2026-11-22T22:00:00Z'),
      toMs: now,
      name: 'early',
    });
  });

  it('takes the last shift whole when none runs (the night), and crosses midnight', () => {
    const night = Date.parse('2026-11-23T16:30:00Z'); // 00:30 Shanghai
    expect(currentShift(SHIFTS, night, SH)).toEqual({
      fromMs: Date.parse('2026-11-23T06:00:00Z'),
      toMs: Date.parse('2026-11-23T14:00:00Z'),
      name: 'late',
    });
    const overnight = [shift('night', '22:00', '06:00')];
    expect(currentShift(overnight, night, SH)).toMatchObject({
      fromMs: Date.parse('2026-11-23T14:00:00Z'),
      toMs: night,
    });
  });

  it('skips days a shift is not planned on', () => {
    // 2026-11-23 is a Monday; a weekend-only shift last ran on Sunday the 22nd.
    const now = Date.parse('2026-11-23T03:00:00Z');
    expect(currentShift([shift('wk', '08:00', '16:00', ['sat', 'sun'])], now, SH)).toMatchObject({
      fromMs: Date.parse('2026-11-22T00:00:00Z'),
    });
  });

  it('has no shift without a calendar: the last 8 hours', () => {
    const now = Date.parse('2026-11-23T03:00:00Z');
    expect(currentShift([], now, SH)).toBeNull();
    expect(analyticsWindow('shift', now, SH, [])).toMatchObject({
      fromMs: now - 8 * 3_600_000,
    });
  });

  it('trends 7 days per shift and 30 days per day', () => {
    const now = Date.parse('2026-11-23T03:00:00Z');
    expect(analyticsWindow('7d', now, SH, SHIFTS)).toMatchObject({
      fromMs: now - 7 * 86_400_000,
      bucket: 'shift',
    });
    expect(analyticsWindow('30d', now, SH, SHIFTS)).toMatchObject({
      fromMs: now - 30 * 86_400_000,
      bucket: 'day',
    });
  });

  it('cuts a window into plant days, clipped at both ends', () => {
    const days = dayPeriods(
      Date.parse('2026-11-22T12:00:00Z'),
      Date.parse('2026-11-23T20:00:00Z'),
      SH,
    );
    expect(days.map((d) => d.date)).toEqual(['2026-11-22', '2026-11-23', '2026-11-24']);
    expect(days[0]!.fromMs).toBe(Date.parse('2026-11-22T12:00:00Z'));
    expect(days[1]).toMatchObject({
      fromMs: Date.parse('2026-11-22T16:00:00Z'),
      toMs: Date.parse('2026-11-23T16:00:00Z'),
    });
    expect(days[2]!.toMs).toBe(Date.parse('2026-11-23T20:00:00Z'));
  });
});

describe('time axis labels', () => {
  it('shows the plant clock, adding the date as the window widens', async () => {
    const { axisTimeLabel } = await import('../../src/lib/axis-time');
    const at = Date.parse('2026-11-23T22:05:09Z');
    expect(axisTimeLabel(at, 3_600_000, SH)).toBe('06:05');
    expect(axisTimeLabel(at, 3 * 86_400_000, SH)).toBe('11-24 06:05');
    expect(axisTimeLabel(at, 30 * 86_400_000, SH)).toBe('11-24');
  });
});
