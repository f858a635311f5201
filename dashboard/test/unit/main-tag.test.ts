import { describe, expect, it } from 'vitest';
import { mainTag, numericValue } from '../../src/lib/main-tag';

const at = '2025-03-01T08:00:00.000Z';

describe('mainTag', () => {
  it('prefers temperature, else the first numeric tag', () => {
    const reading = (value: number | string | boolean | null) => ({
      value,
      unit: null,
      quality: 'good' as const,
      at,
    });
    expect(mainTag({ speed: reading(3), temperature: reading(70) })?.tag).toBe('temperature');
    expect(mainTag({ door: reading(true), mode: reading('auto'), speed: reading(3) })?.tag).toBe(
      'speed',
    );
    expect(mainTag({ door: reading(true) })).toBeNull();
  });

  it('plots bad quality as a gap', () => {
    expect(numericValue({ value: 5, unit: null, quality: 'bad', at })).toBeNull();
    expect(numericValue({ value: 5, unit: null, quality: 'uncertain', at })).toBe(5);
  });
});
