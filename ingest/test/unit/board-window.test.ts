import type { ShiftConfig } from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import { boardWindow } from '../../src/domain/board-window';

const ALL_DAYS: ShiftConfig['days'] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const shifts: ShiftConfig[] = [
  { id: 'early', name: 'Early', start: '06:00', end: '14:00', days: ALL_DAYS, breaks: [] },
  { id: 'late', name: 'Late', start: '14:00', end: '22:00', days: ALL_DAYS, breaks: [] },
];
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('boardWindow: the shift a wall board shows', () => {
  it('is the shift running now, from its start to now', () => {
    // 09:30 in Shanghai (UTC+8)
    const now = at('2026-11-23T01:30:00Z');
    const w = boardWindow(shifts, [], 'Asia/Shanghai', now);
    expect(w.shift?.shift).toBe('early');
    expect(iso(w.from)).toBe('2026-11-22T22:00:00.000Z');
    expect(w.to).toBe(now);
    expect(w.inShift).toBe(true);
    expect(iso(w.midnight)).toBe('2026-11-22T16:00:00.000Z');
  });

  it('between shifts is the last one, from its start to now, no longer in shift', () => {
    // 23:00 in Shanghai: the late shift ended at 22:00
    const now = at('2026-11-23T15:00:00Z');
    const w = boardWindow(shifts, [], 'Asia/Shanghai', now);
    expect(w.shift?.shift).toBe('late');
    expect(iso(w.shift!.to)).toBe('2026-11-23T14:00:00.000Z');
    expect(iso(w.from)).toBe('2026-11-23T06:00:00.000Z');
    expect(w.to).toBe(now);
    expect(w.inShift).toBe(false);
  });

  it('without a shift calendar is the plant day so far, from local midnight', () => {
    const now = at('2026-11-23T15:00:00Z'); // 23:00 in Shanghai
    const w = boardWindow([], [], 'Asia/Shanghai', now);
    expect(w.shift).toBeNull();
    expect(iso(w.from)).toBe('2026-11-22T16:00:00.000Z');
    expect(w.to).toBe(now);
    expect(w.inShift).toBe(true);
    expect(w.midnight).toBe(w.from);
  });
});
