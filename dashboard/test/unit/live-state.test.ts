import { describe, expect, it } from 'vitest';
import { initialLiveState, liveReducer, type LiveState } from '../../src/lib/live-state';
import { iso, machine, T0 } from './machine-fixture';

const snapshot = (state: LiveState, ids: string[], serverMs = T0) =>
  liveReducer(state, {
    type: 'snapshot',
    payload: { machines: ids.map((id) => machine({ id })), serverTime: iso(serverMs) },
    receivedAtMs: T0,
  });

describe('liveReducer', () => {
  it('goes live on the snapshot and records the clock offset', () => {
    const state = snapshot(initialLiveState, ['a', 'b'], T0 - 5_000);
    expect(state.status).toBe('live');
    expect([...state.machines.keys()]).toEqual(['a', 'b']);
    expect(state.clockOffsetMs).toBe(-5_000);
    expect(state.lastDataAtMs).toBe(T0 - 5_000);
    expect(state.snapshotCount).toBe(1);
  });

  it('replaces machines by id on update, keeping their place, and adds new ones last', () => {
    const live = snapshot(initialLiveState, ['a', 'b']);
    const next = liveReducer(live, {
      type: 'update',
      payload: {
        machines: [machine({ id: 'a', counts: { good: 99, reject: 2, since: iso(T0) } })],
        serverTime: iso(T0 + 1_000),
      },
      receivedAtMs: T0 + 1_000,
    });
    expect(next.machines.get('a')?.counts.good).toBe(99);
    expect(next.machines.get('b')).toBe(live.machines.get('b'));
    const added = liveReducer(next, {
      type: 'update',
      payload: { machines: [machine({ id: 'c' })], serverTime: iso(T0 + 2_000) },
      receivedAtMs: T0 + 2_000,
    });
    expect([...added.machines.keys()]).toEqual(['a', 'b', 'c']);
  });

  it('is lost after a disconnect and live again only with the next snapshot', () => {
    const live = snapshot(initialLiveState, ['a', 'b']);
    const lost = liveReducer(live, { type: 'disconnected', reason: 'transport close' });
    expect(lost.status).toBe('lost');
    expect(lost.machines.size).toBe(2);
    const back = snapshot(lost, ['b']);
    expect(back.status).toBe('live');
    expect([...back.machines.keys()]).toEqual(['b']);
    expect(back.snapshotCount).toBe(2);
  });

  it('stays connecting while it never had data', () => {
    const state = liveReducer(initialLiveState, { type: 'disconnected', reason: 'x' });
    expect(state.status).toBe('connecting');
  });
});
