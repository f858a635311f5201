import { describe, expect, it } from 'vitest';
import { decodeMessage, encodePayload, MAX_PAYLOAD_BYTES } from '../../src';

const bytes = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const T = 'takt/v1/s1/gw1/m1';

describe('decodeMessage', () => {
  it('accepts a metrics payload and keeps its values', () => {
    const payload = {
      v: 1,
      seq: 7,
      ts: 1_700_000_000_000,
      readings: [
        { tag: 'temperature', value: 43.1, ts: 1_700_000_000_000, quality: 'good', unit: 'degC' },
      ],
    };
    const result = decodeMessage(`${T}/metrics`, bytes(payload));
    expect(result).toEqual({
      ok: true,
      message: { kind: 'metrics', site: 's1', gatewayId: 'gw1', machineId: 'm1', payload },
    });
  });

  it('round-trips every kind through encodePayload', () => {
    const env = { v: 1 as const, seq: 1, ts: 5 };
    const cases = [
      ['state', { ...env, state: 'down', code: 3, reason: 'technical' }],
      ['count', { ...env, good: 10, reject: 1, rollover: 65536 }],
      ['scan', { ...env, code: 'WO-1001|OP10|START' }],
    ] as const;
    for (const [kind, payload] of cases) {
      const result = decodeMessage(`${T}/${kind}`, bytes(encodePayload(kind, payload as never)));
      expect(result.ok && result.message.payload).toEqual(payload);
    }
    const status = decodeMessage(
      'takt/v1/s1/gw1/status',
      bytes({ v: 1, ts: 5, status: 'offline' }),
    );
    expect(status.ok && status.message.kind).toBe('status');
  });

  it('keeps the heartbeat a birth declares, and takes a birth without one (v1 is not strict)', () => {
    const birth = { v: 1, ts: 5, status: 'online', heartbeatMs: 600_000 };
    const declared = decodeMessage('takt/v1/s1/gw1/status', bytes(birth));
    expect(declared.ok && declared.message.payload).toEqual(birth);
    const older = decodeMessage('takt/v1/s1/gw1/status', bytes({ v: 1, ts: 5, status: 'online' }));
    expect(older.ok).toBe(true);
    const zero = decodeMessage('takt/v1/s1/gw1/status', bytes({ ...birth, heartbeatMs: 0 }));
    expect(zero.ok).toBe(false);
  });

  it.each([
    ['not JSON', `${T}/metrics`, '{"v":1,', 'payload is not JSON'],
    [
      'a wrong type',
      `${T}/count`,
      { v: 1, seq: 1, ts: 1, good: '12', reject: 0 },
      'count payload: good: Invalid input: expected number, received string',
    ],
    ['a missing field', `${T}/state`, { v: 1, seq: 1, ts: 1 }, 'state payload: state:'],
    [
      'an unknown state',
      `${T}/state`,
      { v: 1, seq: 1, ts: 1, state: 'dancing' },
      'state payload: state:',
    ],
    [
      'a negative counter',
      `${T}/count`,
      { v: 1, seq: 1, ts: 1, good: -1, reject: 0 },
      'good: Too small',
    ],
    [
      'a wrong version',
      `${T}/count`,
      { v: 2, seq: 1, ts: 1, good: 1, reject: 0 },
      'v: Invalid input: expected 1',
    ],
    [
      'an empty metrics batch',
      `${T}/metrics`,
      { v: 1, seq: 1, ts: 1, readings: [] },
      'readings: Too small',
    ],
    ['a bad topic', 'takt/v1/s1/gw1/m1/bogus', {}, 'topic: unknown message kind'],
  ])('rejects %s with a readable reason', (_name, topic, payload, reason) => {
    const result = decodeMessage(topic, bytes(payload));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });

  it('rejects an oversized payload before parsing it', () => {
    const result = decodeMessage(`${T}/metrics`, Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 32));
    expect(!result.ok && result.reason).toMatch(/over 1048576/);
  });

  it('rejects bytes that are not UTF-8', () => {
    const result = decodeMessage(`${T}/metrics`, Buffer.from([0xff, 0xfe, 0x7b]));
    expect(!result.ok && result.reason).toMatch(/not JSON/);
  });

  it('refuses to encode an invalid payload at the edge', () => {
    expect(() => encodePayload('count', { v: 1, seq: -1, ts: 1, good: 1, reject: 0 })).toThrow();
  });
});

describe('values PostgreSQL could not store', () => {
  it.each([
    [
      'a NUL inside a string value',
      'metrics',
      {
        v: 1,
        seq: 1,
        ts: 1,
        readings: [{ tag: 't', value: 'AB\u0000stale', ts: 1, quality: 'good' }],
      },
      'must not contain NUL',
    ],
    [
      'a state code beyond a 32-bit integer',
      'state',
      { v: 1, seq: 1, ts: 1, state: 'down', code: 2 ** 40 },
      'code: Too big',
    ],
    [
      'a counter beyond 2^53',
      'count',
      { v: 1, seq: 1, ts: 1, good: 2 ** 60, reject: 0 },
      'good: Too big',
    ],
  ])('rejects %s with a reason', (_name, kind, payload, reason) => {
    const result = decodeMessage(`takt/v1/s1/gw1/m1/${kind}`, Buffer.from(JSON.stringify(payload)));
    expect(!result.ok && result.reason).toContain(reason);
  });
});
