import type { DecodedMessage } from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HORIZON } from '../../src/domain/time-horizon';
import { gatewayOfTopic } from '../../src/pipeline/dead-letters';
import { quarantine } from '../../src/pipeline/quarantine';
import { payloadExcerpt } from '../../src/queries/dead-letters';

const NOW = Date.UTC(2026, 11, 6, 10);
const FAR = Date.UTC(9999, 11, 31);
const settings = { horizon: DEFAULT_HORIZON, rawRetentionDays: 30 };
const base = { site: 's1', gatewayId: 'gw1', machineId: 'm1' } as const;

const state = (ts: number): DecodedMessage => ({
  ...base,
  kind: 'state',
  payload: { v: 1, seq: 1, ts, state: 'running' },
});
const metrics = (...readingTs: number[]): DecodedMessage => ({
  ...base,
  kind: 'metrics',
  payload: {
    v: 1,
    seq: 2,
    ts: NOW,
    readings: readingTs.map((ts, i) => ({ tag: `t${i}`, value: i, ts, quality: 'good' })),
  },
});

describe('quarantine (issue 6)', () => {
  it('keeps plausible messages and quarantines a state stamped 9999 whole, with the reason', () => {
    const { kept, quarantined } = quarantine(
      [
        { message: state(FAR), receivedAtMs: NOW },
        { message: state(NOW), receivedAtMs: NOW },
      ],
      settings,
    );
    expect(kept).toEqual([state(NOW)]);
    expect(quarantined).toEqual([
      {
        topic: 'takt/v1/s1/gw1/m1/state',
        payload: Buffer.from(JSON.stringify(state(FAR).payload)),
        reason: expect.stringMatching(/^timestamp 9999-12-31T00:00:00.000Z is .* ahead/),
      },
    ]);
  });

  it('splits a metrics message: the readings outside the horizon go, the others stay', () => {
    const { kept, quarantined } = quarantine(
      [{ message: metrics(NOW, FAR, NOW - 1000), receivedAtMs: NOW }],
      settings,
    );
    expect(kept).toHaveLength(1);
    expect((kept[0] as Extract<DecodedMessage, { kind: 'metrics' }>).payload.readings).toEqual([
      { tag: 't0', value: 0, ts: NOW, quality: 'good' },
      { tag: 't2', value: 2, ts: NOW - 1000, quality: 'good' },
    ]);
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]!.reason).toMatch(/^1 of 3 readings: timestamp 9999/);
    expect(JSON.parse(quarantined[0]!.payload.toString()).readings).toEqual([
      { tag: 't1', value: 1, ts: FAR, quality: 'good' },
    ]);
  });

  it('judges each message by its own receive time (a batch written late is not older)', () => {
    const late = NOW + 3 * 3_600_000;
    const { kept } = quarantine([{ message: state(late), receivedAtMs: late - 1000 }], settings);
    expect(kept).toHaveLength(1);
  });
});

describe('dead letters', () => {
  it('names the gateway of a Takt topic, and none for anything else', () => {
    expect(gatewayOfTopic('takt/v1/s1/gw-1/m1/state')).toBe('gw-1');
    expect(gatewayOfTopic('takt/v1/s1/gw-1/status')).toBe('gw-1');
    expect(gatewayOfTopic('takt/v1/s1')).toBeNull();
    expect(gatewayOfTopic('other/v1/s1/gw/x')).toBeNull();
    expect(gatewayOfTopic('takt/v1/s1/<b>/x')).toBeNull();
  });

  it('shows a payload excerpt as safe text: cut, invalid UTF-8 and control characters replaced', () => {
    expect(payloadExcerpt(Buffer.from('{"v":1}'))).toBe('{"v":1}');
    expect(payloadExcerpt(Buffer.from([0x61, 0xff, 0x00, 0x1b, 0x0a, 0x62]))).toBe(
      'a\uFFFD\uFFFD\uFFFD\nb',
    );
    expect(payloadExcerpt(Buffer.from('x'.repeat(500)))).toBe(`${'x'.repeat(400)}…`);
    // "é" is two bytes: cut in its middle, the half is dropped, not shown as U+FFFD.
    expect(payloadExcerpt(Buffer.from(`${'x'.repeat(399)}é`))).toBe(`${'x'.repeat(399)}…`);
  });
});
