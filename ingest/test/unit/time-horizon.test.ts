import { describe, expect, it } from 'vitest';
import {
  clockOffset,
  DEFAULT_HORIZON,
  isSkewed,
  limitsFor,
  partitionWindow,
  supersedes,
  timestampProblem,
} from '../../src/domain/time-horizon';

const NOW = Date.UTC(2026, 11, 6, 10);
const HOUR = 3_600_000;
const DAY = 86_400_000;

describe('timestampProblem (issue 6)', () => {
  const state = limitsFor('state', DEFAULT_HORIZON, 30);
  const metrics = limitsFor('metrics', DEFAULT_HORIZON, 30);

  it('accepts now, up to an hour ahead, and a backlog within the limits', () => {
    expect(timestampProblem(NOW, NOW, state)).toBeUndefined();
    expect(timestampProblem(NOW + HOUR, NOW, state)).toBeUndefined();
    expect(timestampProblem(NOW - 29 * DAY, NOW, metrics)).toBeUndefined();
    expect(timestampProblem(NOW - 364 * DAY, NOW, state)).toBeUndefined();
  });

  it('refuses 9999, 2036 and anything past an hour ahead, saying why', () => {
    expect(timestampProblem(Date.UTC(9999, 11, 31), NOW, state)).toMatch(
      /^timestamp 9999-12-31T00:00:00.000Z is \d+ days ahead of its receive time \(horizon 3600 s\)/,
    );
    expect(timestampProblem(Date.UTC(2036, 0, 1), NOW, state)).toMatch(/ahead/);
    expect(timestampProblem(NOW + HOUR + 1000, NOW, state)).toMatch(/1 s|3601 s/);
  });

  it('refuses samples older than the raw retention, other kinds older than the horizon', () => {
    expect(timestampProblem(NOW - 31 * DAY, NOW, metrics)).toMatch(
      /31 days old, older than the raw retention of 30 days/,
    );
    expect(timestampProblem(NOW - 31 * DAY, NOW, state)).toBeUndefined();
    expect(timestampProblem(0, NOW, state)).toMatch(
      /1970-01-01.*older than the horizon of 365 days/,
    );
  });

  it('limits samples kept forever by the horizon instead', () => {
    expect(limitsFor('metrics', DEFAULT_HORIZON, 0).maxAgeMs).toBe(365 * DAY);
  });
});

describe('supersedes: live values follow the newest plausible time', () => {
  it('takes a newer time, keeps a newer stored one', () => {
    expect(supersedes(null, NOW, NOW, HOUR)).toBe(true);
    expect(supersedes(NOW - 1000, NOW, NOW, HOUR)).toBe(true);
    expect(supersedes(NOW, NOW - 1000, NOW, HOUR)).toBe(false);
  });
  it('lets a real time replace a stored one beyond the horizon (written before it existed)', () => {
    expect(supersedes(Date.UTC(9999, 11, 31), NOW, NOW, HOUR)).toBe(true);
    expect(supersedes(NOW + HOUR - 1, NOW, NOW, HOUR)).toBe(false);
  });
});

describe('clockOffset: which messages tell how far off a gateway clock is', () => {
  it('reads a live status either way', () => {
    expect(clockOffset('status', NOW - 2 * HOUR, NOW, false)).toBe(-2 * HOUR);
    expect(clockOffset('status', NOW + 2 * HOUR, NOW, false)).toBe(2 * HOUR);
  });
  it('ignores a retained message replayed on subscribe: old by design', () => {
    expect(clockOffset('status', NOW - 2 * HOUR, NOW, true)).toBeUndefined();
    expect(clockOffset('state', NOW + 2 * HOUR, NOW, true)).toBeUndefined();
  });
  it('reads a reading ahead or in step, not one behind (it may come from the disk queue)', () => {
    expect(clockOffset('metrics', NOW + 2 * HOUR, NOW, false)).toBe(2 * HOUR);
    expect(clockOffset('count', NOW - 5000, NOW, false)).toBe(-5000);
    expect(clockOffset('scan', NOW - 2 * HOUR, NOW, false)).toBeUndefined();
  });
  it('flags past a minute', () => {
    expect(isSkewed(60_000)).toBe(false);
    expect(isSkewed(-60_001)).toBe(true);
  });
});

describe('partitionWindow', () => {
  it('spans retention and the horizon plus a day, and the days made ahead', () => {
    const limits = limitsFor('metrics', DEFAULT_HORIZON, 30);
    expect(partitionWindow(NOW, limits)).toEqual({
      fromMs: NOW - 31 * DAY,
      toMs: NOW + HOUR + DAY,
    });
    expect(partitionWindow(NOW, limits, 2).toMs).toBe(NOW + 3 * DAY);
  });
});
