import { describe, expect, it } from 'vitest';
import { formatAge, formatDuration, formatReading } from '../../src/lib/format';

describe('format', () => {
  it('says how long ago in words a wall reader takes in at once', () => {
    expect(formatAge(null)).toBe('never');
    expect(formatAge(9_999)).toBe('9 s ago');
    expect(formatAge(125_000)).toBe('2 min ago');
    expect(formatAge(3 * 3_600_000)).toBe('3 h ago');
  });

  it('keeps a fixed number of decimals per magnitude', () => {
    expect(formatReading(72.43)).toBe('72.4');
    expect(formatReading(65)).toBe('65.0');
    expect(formatReading(4.2)).toBe('4.20');
    expect(formatReading(1234.5)).toBe('1235');
  });

  it('shows time in state compactly', () => {
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(12 * 60_000)).toBe('12 min');
    expect(formatDuration(185 * 60_000)).toBe('3 h 05');
  });
});

describe('formatDuration in Chinese', () => {
  it('uses Chinese units', () => {
    expect(formatDuration(45_000, 'zh-CN')).toBe('45 秒');
    expect(formatDuration(12 * 60_000, 'zh-CN')).toBe('12 分');
    expect(formatDuration(185 * 60_000, 'zh-CN')).toBe('3 小时 05');
  });
});
