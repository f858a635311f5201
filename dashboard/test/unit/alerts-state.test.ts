import { describe, expect, it } from 'vitest';
import { alertsReducer, andonOrder, initialAlertsFeed } from '../../src/lib/alerts-state';

const alert = (id: number, over: Record<string, unknown> = {}) => ({
  id,
  rule: 'hot',
  subject: 'press-01',
  severity: 'warning',
  status: 'open',
  openedAt: `2026-11-23T08:0${id}:00.000Z`,
  value: 91,
  message: `alert ${id}`,
  messageKey: 'legacy.text',
  messageParams: { text: `alert ${id}` },
  acknowledgedAt: null,
  acknowledgedBy: null,
  ackComment: null,
  clearedAt: null,
  clearedBy: null,
  escalatedAt: null,
  deliveryFailed: false,
  ...over,
});
const serverTime = '2026-11-23T09:00:00.000Z';
/** Three updates: alert 3 opens, li acknowledges alert 1, alert 2 clears. */
const opened3 = { type: 'update', raw: { event: 'opened', alert: alert(3) } } as const;
const acked1 = {
  type: 'update',
  raw: { event: 'acknowledged', alert: alert(1, { status: 'acknowledged', acknowledgedBy: 'li' }) },
} as const;
const cleared2 = {
  type: 'update',
  raw: { event: 'cleared', alert: alert(2, { status: 'cleared' }) },
} as const;

describe('the andon alerts on a screen', () => {
  it('a snapshot replaces all; updates add, replace and remove cleared alerts', () => {
    let state = alertsReducer(initialAlertsFeed, {
      type: 'snapshot',
      raw: { alerts: [alert(1), alert(2)], serverTime },
    });
    expect([...state.shown.keys()]).toEqual([1, 2]);
    state = alertsReducer(state, opened3);
    state = alertsReducer(state, acked1);
    expect(state.shown.get(1)!.acknowledgedBy).toBe('li');
    state = alertsReducer(state, cleared2);
    expect([...state.shown.keys()].sort()).toEqual([1, 3]);
  });

  it("an update that came before its connection's snapshot is not undone by that snapshot", () => {
    // The server reads the snapshot while the room already gets updates: alert 3 opened
    // and alert 1 was acknowledged during the read, alert 2 cleared; the snapshot is older.
    let state = alertsReducer(initialAlertsFeed, { type: 'connected' });
    for (const update of [opened3, acked1, cleared2]) state = alertsReducer(state, update);
    state = alertsReducer(state, {
      type: 'snapshot',
      raw: { alerts: [alert(1), alert(2)], serverTime },
    });
    expect([...state.shown.keys()].sort()).toEqual([1, 3]);
    expect(state.shown.get(1)!.acknowledgedBy).toBe('li');
    // Once the snapshot is in, a later reconnect's snapshot is the truth: alert 3 was cleared
    // while the screen was away and no update of it came since the new connect.
    state = alertsReducer(state, { type: 'connected' });
    state = alertsReducer(state, { type: 'snapshot', raw: { alerts: [alert(1)], serverTime } });
    expect([...state.shown.keys()]).toEqual([1]);
    expect(state.shown.get(1)!.acknowledgedBy).toBeNull();
  });

  it('ignores a malformed message instead of blanking the andon', () => {
    const state = alertsReducer(initialAlertsFeed, {
      type: 'snapshot',
      raw: { alerts: [alert(1)], serverTime },
    });
    expect(alertsReducer(state, { type: 'update', raw: { alert: { id: 'x' } } })).toBe(state);
    expect(alertsReducer(state, { type: 'snapshot', raw: null })).toBe(state);
  });

  it('shows the worst first, then those nobody acknowledged, then the oldest', () => {
    const state = alertsReducer(initialAlertsFeed, {
      type: 'snapshot',
      raw: {
        serverTime,
        alerts: [
          alert(1, { severity: 'info' }),
          alert(2, { status: 'acknowledged' }),
          alert(3),
          alert(4, { severity: 'critical' }),
          alert(5),
        ],
      },
    });
    expect(andonOrder(state.shown).map((a) => a.id)).toEqual([4, 3, 5, 2, 1]);
  });
});
