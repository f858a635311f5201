import { describe, expect, it } from 'vitest';
import { ConnectionLimiter, MqttFrameMeter } from '../../src';

describe('MqttFrameMeter', () => {
  it('follows packets split anywhere across chunks', () => {
    const meter = new MqttFrameMeter(200);
    // PINGREQ (0 length), then a PUBLISH of 130 bytes (length 0x82 0x01), then PINGREQ
    const stream = Buffer.concat([
      Buffer.from([0xc0, 0x00]),
      Buffer.from([0x30, 0x82, 0x01]),
      Buffer.alloc(130, 1),
      Buffer.from([0xc0, 0x00]),
    ]);
    for (let i = 0; i < stream.length; i += 3)
      expect(meter.feed(stream.subarray(i, i + 3))).toBe(undefined);
  });

  it('refuses a packet over the limit at its header', () => {
    const meter = new MqttFrameMeter(100);
    expect(meter.feed(Buffer.from([0x30, 0x82]))).toBe(undefined); // length not complete yet
    expect(meter.feed(Buffer.from([0x01]))).toMatch(/130 bytes exceeds the limit of 100/);
  });

  it('refuses a remaining length of more than four bytes', () => {
    const meter = new MqttFrameMeter(1e9);
    expect(meter.feed(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01]))).toMatch(/malformed/);
  });
});

describe('ConnectionLimiter', () => {
  it('limits new connections per window and open ones per address', () => {
    const limiter = new ConnectionLimiter({ perWindow: 3, windowMs: 1000, concurrent: 2 });
    expect(limiter.accept('a', 0).ok).toBe(true);
    expect(limiter.accept('a', 1).ok).toBe(true);
    const third = limiter.accept('a', 2);
    expect(third).toMatchObject({ ok: false, firstRefusal: true });
    expect(limiter.accept('a', 3)).toMatchObject({ ok: false, firstRefusal: false });
    expect(limiter.accept('b', 3).ok).toBe(true); // other addresses are not affected
    limiter.release('a');
    expect(limiter.accept('a', 4).ok).toBe(true); // third of the window
    limiter.release('a');
    expect(limiter.accept('a', 5).ok).toBe(false); // window used up
    expect(limiter.accept('a', 1000).ok).toBe(true); // next window
  });
});
