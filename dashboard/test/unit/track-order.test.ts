import { describe, expect, it } from 'vitest';
import {
  historyOldestFirst,
  progressPercent,
  trackEvent,
  trackOrder,
  type TrackedOrder,
} from '../../src/lib/track-order';

const order = (id: string, over: Partial<TrackedOrder> = {}): TrackedOrder => ({
  id,
  product: 'p',
  quantity: 10,
  dueAt: null,
  status: 'released',
  stage: null,
  stages: [],
  good: 0,
  progress: 0,
  eta: null,
  lateRisk: false,
  history: [],
  ...over,
});

describe('customer tracking helpers', () => {
  it('lists open orders by due date, undated after, completed last', () => {
    const sorted = trackOrder([
      order('done', { status: 'completed', dueAt: '2030-01-01T00:00:00Z' }),
      order('undated'),
      order('late', { dueAt: '2030-01-03T00:00:00Z' }),
      order('early', { dueAt: '2030-01-02T00:00:00Z' }),
    ]);
    expect(sorted.map((o) => o.id)).toEqual(['early', 'late', 'undated', 'done']);
  });

  it('clamps progress to 0..100 %, and reads a missing figure as 0', () => {
    expect(progressPercent({ progress: 0.456 })).toBe(46);
    expect(progressPercent({ progress: 1.3 })).toBe(100);
    expect(progressPercent({ progress: Number.NaN })).toBe(0);
  });

  it('tells the story oldest first, with unknown scan actions as "scan"', () => {
    const h = historyOldestFirst(
      order('x', {
        history: [
          { time: '2030-01-01T02:00:00Z', event: 'complete', operation: 'OP10' },
          { time: '2030-01-01T01:00:00Z', event: 'created', operation: null },
        ],
      }),
    );
    expect(h.map((e) => e.event)).toEqual(['created', 'complete']);
    expect(trackEvent('start')).toBe('start');
    expect(trackEvent('reject')).toBe('scan');
  });
});
