import { describe, expect, it } from 'vitest';
import { ageMs, clockOffsetMs, isStale, STALE_AFTER_MS } from '../../src/lib/staleness';
import { iso, T0 } from './machine-fixture';

describe('staleness', () => {
  it('measures the server clock against the local one', () => {
    expect(clockOffsetMs(iso(T0), T0 + 90_000)).toBe(-90_000);
    expect(clockOffsetMs('not a time', T0)).toBe(0);
  });

  it('ages on the server clock and never goes negative', () => {
    expect(ageMs(iso(T0), T0 + 3_500)).toBe(3_500);
    expect(ageMs(iso(T0 + 1_000), T0)).toBe(0);
    expect(ageMs(null, T0)).toBeNull();
  });

  it('is stale only past the threshold, and when never seen', () => {
    expect(isStale(iso(T0), T0 + STALE_AFTER_MS)).toBe(false);
    expect(isStale(iso(T0), T0 + STALE_AFTER_MS + 1)).toBe(true);
    expect(isStale(null, T0)).toBe(true);
  });
});
