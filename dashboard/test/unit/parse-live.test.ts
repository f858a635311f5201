import { describe, expect, it } from 'vitest';
import { parseLiveMessage } from '../../src/lib/parse-live';
import { iso, machine, T0 } from './machine-fixture';

describe('parseLiveMessage', () => {
  it('passes a valid message through', () => {
    const raw = { machines: [machine({ id: 'a' })], serverTime: iso(T0) };
    expect(parseLiveMessage(raw)).toEqual({ message: raw, problems: [] });
  });

  it('drops only the malformed machine', () => {
    const raw = { machines: [machine({ id: 'a' }), { id: 'b' }], serverTime: iso(T0) };
    const { message, problems } = parseLiveMessage(raw);
    expect(message?.machines.map((m) => m.id)).toEqual(['a']);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^machines\.1\./);
  });

  it('rejects a message without a server time', () => {
    expect(parseLiveMessage({ machines: [] }).message).toBeNull();
    expect(parseLiveMessage('nope').message).toBeNull();
  });
});
