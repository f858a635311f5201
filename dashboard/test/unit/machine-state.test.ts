import { describe, expect, it } from 'vitest';
import {
  displayState,
  OFFLINE_AFTER_MS,
  offlineAfterMs,
  plannedModes,
} from '../../src/lib/machine-state';
import { machine, T0 } from './machine-fixture';

describe("a tile's staleness follows its gateway's heartbeat", () => {
  const planned = plannedModes(null);
  const MIN = 60_000;

  it('holds the last message as long as ingest says, 60 s when it says nothing', () => {
    expect(offlineAfterMs(machine({ id: 'm' }))).toBe(OFFLINE_AFTER_MS);
    expect(offlineAfterMs(machine({ id: 'm', staleAfterMs: 30 * MIN }))).toBe(30 * MIN);
  });

  it('keeps a machine of a gateway with a 10 min heartbeat live for three heartbeats', () => {
    const slow = machine({ id: 'slow', state: 'running', staleAfterMs: 30 * MIN });
    expect(displayState(slow, T0 + 61_000, planned)).toBe('running');
    expect(displayState(slow, T0 + 30 * MIN, planned)).toBe('running');
    expect(displayState(slow, T0 + 30 * MIN + 1, planned)).toBe('offline');
  });

  it('still turns a machine of a 60 s gateway offline after a minute, and unknown at once', () => {
    const quick = machine({ id: 'quick', state: 'running', staleAfterMs: MIN });
    expect(displayState(quick, T0 + MIN, planned)).toBe('running');
    expect(displayState(quick, T0 + MIN + 1, planned)).toBe('offline');
    const unknown = machine({ id: 'u', state: 'unknown', staleAfterMs: 30 * MIN });
    expect(displayState(unknown, T0, planned)).toBe('offline');
  });
});
