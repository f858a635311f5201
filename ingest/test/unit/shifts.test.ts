import type { ShiftConfig } from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import { measure } from '../../src/domain/intervals';
import { plannedIntervals, zonedTimeToUtc } from '../../src/domain/shifts';

const H = 3_600_000;
const shift = (s: Partial<ShiftConfig> & Pick<ShiftConfig, 'start' | 'end'>): ShiftConfig => ({
  id: 's',
  name: 'S',
  days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  breaks: [],
  ...s,
});
const iso = (ms: number) => new Date(ms).toISOString();

describe('shift calendar -> planned time', () => {
  it('converts plant clock times to instants, DST included', () => {
    expect(iso(zonedTimeToUtc({ y: 2026, m: 11, d: 23 }, '06:00', 'Asia/Shanghai'))).toBe(
      '2026-11-22T22:00:00.000Z',
    );
    expect(iso(zonedTimeToUtc({ y: 2026, m: 3, d: 29 }, '06:00', 'Europe/Berlin'))).toBe(
      '2026-03-29T04:00:00.000Z',
    ); // CEST
    expect(iso(zonedTimeToUtc({ y: 2026, m: 3, d: 28 }, '06:00', 'Europe/Berlin'))).toBe(
      '2026-03-28T05:00:00.000Z',
    ); // CET
  });

  it('a day shift with a break in the plant time zone', () => {
    const day = shift({ start: '06:00', end: '14:00', breaks: [{ start: '10:00', end: '11:00' }] });
    const from = Date.parse('2026-11-22T16:00:00Z'); // midnight in Shanghai
    const planned = plannedIntervals([day], from, from + 24 * H, 'Asia/Shanghai');
    expect(planned.map((i) => [iso(i.from), iso(i.to)])).toEqual([
      ['2026-11-22T22:00:00.000Z', '2026-11-23T02:00:00.000Z'],
      ['2026-11-23T03:00:00.000Z', '2026-11-23T06:00:00.000Z'],
    ]);
    expect(measure(planned)).toBe(7 * H); // 420 min
  });

  it('a night shift crossing midnight, with a break after midnight, seen from a window that starts mid-shift', () => {
    const night = shift({
      start: '22:00',
      end: '06:00',
      breaks: [{ start: '02:00', end: '02:30' }],
    });
    const from = Date.parse('2026-11-24T00:00:00Z');
    const planned = plannedIntervals([night], from, from + 24 * H, 'UTC');
    expect(planned.map((i) => [iso(i.from), iso(i.to)])).toEqual([
      ['2026-11-24T00:00:00.000Z', '2026-11-24T02:00:00.000Z'], // last night's shift, clipped
      ['2026-11-24T02:30:00.000Z', '2026-11-24T06:00:00.000Z'],
      ['2026-11-24T22:00:00.000Z', '2026-11-25T00:00:00.000Z'], // tonight's, clipped
    ]);
  });

  it('only on its days, and the whole window without shifts', () => {
    const weekdays = shift({
      start: '08:00',
      end: '16:00',
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    });
    const saturday = Date.parse('2026-11-28T00:00:00Z');
    expect(plannedIntervals([weekdays], saturday, saturday + 48 * H, 'UTC')).toEqual([]);
    expect(plannedIntervals([], 5, 10, 'UTC')).toEqual([{ from: 5, to: 10 }]);
  });
});
