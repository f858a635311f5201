import { describe, expect, it } from 'vitest';
import { statusEvents, type AnnouncedStatus } from '../../src/domain/order-status-events';

const S = (p: Partial<AnnouncedStatus> = {}): AnnouncedStatus => ({
  progress: 'released',
  held: false,
  cancelled: false,
  lateRisk: false,
  ...p,
});

describe('statusEvents', () => {
  it('announces a new order as released, and what it already went through after', () => {
    expect(statusEvents(undefined, S())).toEqual(['released']);
    expect(statusEvents(undefined, S({ progress: 'completed' }))).toEqual([
      'released',
      'started',
      'completed',
    ]);
  });
  it('orders resumed before progress, held after, and late risk only on an open order', () => {
    expect(statusEvents(S({ held: true }), S({ progress: 'started' }))).toEqual([
      'resumed',
      'started',
    ]);
    expect(statusEvents(S(), S({ progress: 'started', held: true, lateRisk: true }))).toEqual([
      'started',
      'held',
    ]);
    expect(statusEvents(S(), S({ lateRisk: true }))).toEqual(['late-risk']);
    expect(statusEvents(S({ lateRisk: true }), S({ lateRisk: false }))).toEqual([]);
  });
  it('ends with cancelled and says nothing after', () => {
    expect(statusEvents(S({ held: true }), S({ held: true, cancelled: true }))).toEqual([
      'cancelled',
    ]);
    expect(
      statusEvents(S({ cancelled: true }), S({ cancelled: true, progress: 'started' })),
    ).toEqual([]);
  });
});
