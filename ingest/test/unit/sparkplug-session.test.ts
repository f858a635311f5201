import { describe, expect, it } from 'vitest';
import {
  SparkplugSessions,
  type SparkplugMessage,
  type SparkplugMetric,
} from '../../src/sparkplug/session';

/** The host's session rules (docs/decisions.md "Issue 24 — Sparkplug B in"), without MQTT. */
const node = (type: 'NBIRTH' | 'NDEATH' | 'NDATA', seq?: number, metrics: SparkplugMetric[] = []) =>
  ({ topic: { kind: 'node', type, group: 'G', node: 'N' }, seq, metrics }) as SparkplugMessage;
const device = (
  type: 'DBIRTH' | 'DDATA' | 'DDEATH',
  seq: number,
  metrics: SparkplugMetric[] = [],
) =>
  ({
    topic: { kind: 'device', type, group: 'G', node: 'N', device: 'd' },
    seq,
    metrics,
  }) as SparkplugMessage;
const bdSeq = (value: number): SparkplugMetric => ({ name: 'bdSeq', type: 'UInt64', value });
const speed = (alias: number, value: number, name?: string): SparkplugMetric => ({
  name,
  alias,
  type: 'Double',
  value,
  timestampMs: 1000,
});

function born(): SparkplugSessions {
  const s = new SparkplugSessions();
  expect(s.apply(node('NBIRTH', 0, [bdSeq(7)]), 0).kind).toBe('values');
  expect(s.apply(device('DBIRTH', 1, [speed(1, 5, 'Speed')]), 0)).toMatchObject({
    kind: 'values',
    device: 'd',
    birth: true,
    values: [{ name: 'Speed', value: 5, ts: 1000 }],
  });
  return s;
}

describe('Sparkplug host sessions', () => {
  it('resolves aliases from the DBIRTH and accepts seq wrapping 255 → 0', () => {
    const s = born();
    for (let i = 2; i < 600; i += 1)
      expect(s.apply(device('DDATA', i % 256, [speed(1, i)]), 0)).toMatchObject({
        kind: 'values',
        values: [{ name: 'Speed', value: i }],
      });
  });

  it('asks for a rebirth on a seq gap, once, then refuses data until the NBIRTH', () => {
    const s = born();
    expect(s.apply(device('DDATA', 5, [speed(1, 9)]), 0)).toEqual({
      kind: 'rebirth',
      reason: 'seq 5 where 2 was due',
      ask: true,
    });
    expect(s.apply(device('DDATA', 6, [speed(1, 9)]), 0)).toMatchObject({
      kind: 'rebirth',
      ask: false,
    });
    expect(s.apply(node('NBIRTH', 0, [bdSeq(8)]), 0).kind).toBe('values');
    expect(s.apply(node('NDATA', 1), 0).kind).toBe('values');
  });

  it('asks for a rebirth on an alias never born, data before NBIRTH and DDATA before DBIRTH', () => {
    expect(born().apply(device('DDATA', 2, [speed(9, 1)]), 0)).toMatchObject({
      kind: 'rebirth',
      reason: 'DDATA of device "d" names an alias never born',
    });
    expect(new SparkplugSessions().apply(node('NDATA', 3), 0)).toMatchObject({
      kind: 'rebirth',
      reason: 'NDATA before NBIRTH',
    });
    const s = new SparkplugSessions();
    s.apply(node('NBIRTH', 0, [bdSeq(1)]), 0);
    expect(s.apply(device('DDATA', 1, [speed(1, 1, 'Speed')]), 0)).toMatchObject({
      kind: 'rebirth',
      reason: 'DDATA of device "d" before its DBIRTH',
    });
  });

  it('ends the session only on an NDEATH with the NBIRTH’s bdSeq', () => {
    const s = born();
    expect(s.apply(node('NDEATH', undefined, [bdSeq(6)]), 0)).toMatchObject({ kind: 'refused' });
    expect(s.session('G', 'N')).toBeDefined();
    expect(s.apply(node('NDEATH', undefined, [bdSeq(7)]), 42)).toEqual({
      kind: 'node-dead',
      devices: ['d'],
      ts: 42,
    });
    expect(s.session('G', 'N')).toBeUndefined();
  });

  it('takes a device offline on DDEATH; its next DDATA asks for a rebirth', () => {
    const s = born();
    expect(s.apply(device('DDEATH', 2), 9)).toEqual({ kind: 'device-dead', device: 'd', ts: 9 });
    expect(s.apply(device('DDATA', 3, [speed(1, 1)]), 0).kind).toBe('rebirth');
  });
});
