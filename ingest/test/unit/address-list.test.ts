import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/app';
import { parseAddressList, parseTrustProxy, type TrustProxy } from '../../src/auth/address-list';

describe('TAKT_TRUST_PROXY', () => {
  it('refuses `true` (every hop) naming the variable and what to write instead', () => {
    expect(() => parseTrustProxy('TAKT_TRUST_PROXY', 'true')).toThrow(
      /TAKT_TRUST_PROXY=true would trust every hop[\s\S]*TAKT_TRUST_PROXY=1[\s\S]*TAKT_TRUST_PROXY=10\.0\.0\.2/,
    );
  });

  it('takes nothing, a hop count, or addresses and ranges; refuses a wrong entry', () => {
    expect(parseTrustProxy('V', undefined)).toBe(false);
    expect(parseTrustProxy('V', 'false')).toBe(false);
    expect(parseTrustProxy('V', '1')).toBe(1);
    expect(parseTrustProxy('V', '10.0.0.2, 10.1.0.0/16,fd00::/8')).toEqual([
      '10.0.0.2',
      '10.1.0.0/16',
      'fd00::/8',
    ]);
    expect(() => parseTrustProxy('V', '10.0.0.0/33')).toThrow(/V: "10.0.0.0\/33" is not an IP/);
    expect(() => parseTrustProxy('V', 'proxy.local')).toThrow(/V: "proxy.local"/);
  });

  it('an address list covers its ranges, IPv4-mapped IPv6 included', () => {
    const list = parseAddressList('V', '127.0.0.1,10.0.0.0/8,fd00::/8');
    expect(list.has('10.200.1.1')).toBe(true);
    expect(list.has('::ffff:127.0.0.1')).toBe(true);
    expect(list.has('fd12::1')).toBe(true);
    expect(list.has('11.0.0.1')).toBe(false);
    expect(list.has('::1')).toBe(false);
  });

  // A forged X-Forwarded-For puts the client's own pick in front of what the proxy appended.
  const forged = { 'x-forwarded-for': '9.9.9.9, 10.0.0.2' };
  const ipSeen = async (trustProxy: TrustProxy) => {
    const { app } = createHttpApp(pino({ level: 'silent' }), undefined, { trustProxy });
    app.get('/ip', async (request) => ({ ip: request.ip }));
    const response = await app.inject({
      url: '/ip',
      headers: forged,
      remoteAddress: '127.0.0.1',
    });
    await app.close();
    return (response.json() as { ip: string }).ip;
  };

  it('behind one trusted proxy the client is the address that proxy saw, not the forged one', async () => {
    expect(await ipSeen(1)).toBe('10.0.0.2');
    expect(await ipSeen(['127.0.0.1'])).toBe('10.0.0.2');
    expect(await ipSeen(['127.0.0.0/8', '10.0.0.2'])).toBe('9.9.9.9'); // both hops are proxies
    expect(await ipSeen(['10.9.9.9'])).toBe('127.0.0.1'); // the peer is no proxy of ours
    expect(await ipSeen(false)).toBe('127.0.0.1');
  });
});
