import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, hashUserPassword } from '../../src';
import { startAccessFixture, type AccessFixture } from '../helpers/access-fixture';

// Every login costs one scrypt at N=2^17 (~0.3 s alone, seconds on a busy machine): the
// tests with a dozen logins get a wider ceiling than the default 30 s.
const MANY_LOGINS_MS = 180_000;

// The fixture's ingest trusts one proxy, 127.0.0.1 (the test itself): what a client writes in
// front of X-Forwarded-For is not its address; the last entry (what the proxy saw) is.
let f: AccessFixture;
beforeAll(async () => {
  f = await startAccessFixture();
});
afterAll(() => f?.stop());

const loginVia = (forwardedFor: string, username: string, password: string) =>
  f.call(
    'POST',
    '/api/auth/login',
    { 'x-forwarded-for': forwardedFor },
    {
      username,
      password,
    },
  );

describe('login limits behind a proxy (issue 18, finding 3)', () => {
  it(
    'a forged X-Forwarded-For does not give a client a fresh address',
    async () => {
      for (let i = 0; i < 5; i++)
        expect((await loginVia(`9.9.9.${i}, 10.0.0.80`, 'u-admin', `wrong-${i}`)).status).toBe(401);
      const limited = await loginVia('9.9.9.99, 10.0.0.80', 'u-admin', f.password);
      expect(limited.status).toBe(429);
      expect(((await limited.json()) as { message: string }).message).toContain(
        'from this address',
      );
    },
    MANY_LOGINS_MS,
  );

  it(
    'limits failures per user name from any addresses; a right password resets no count',
    async () => {
      await createUser(f.ingest.pool, 'target', 'maintenance', 'Right-Pass-1');
      for (let i = 0; i < 4; i++)
        expect((await f.login('10.1.0.1', 'target', `wrong-${i}`)).status).toBe(401);
      // Right from another address: fine, and address 10.1.0.1 keeps its four failures.
      expect((await f.login('10.1.0.2', 'target', 'Right-Pass-1')).status).toBe(200);
      expect((await f.login('10.1.0.1', 'target', 'wrong-4')).status).toBe(401);
      expect((await f.login('10.1.0.1', 'target', 'Right-Pass-1')).status).toBe(429);
      // Five more failures from five addresses: ten for "target", each address under its limit.
      for (let i = 0; i < 5; i++)
        expect((await f.login(`10.2.0.${i}`, 'target', `wrong-${i}`)).status).toBe(401);
      const locked = await f.login('10.3.0.1', 'target', 'Right-Pass-1');
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
      expect((await locked.json()) as { code: string; message: string }).toMatchObject({
        code: 'INGEST_ERR_LOGIN_LIMIT',
        message: expect.stringContaining('for this user name'),
      });
      // Another account from that address is not affected.
      expect((await f.login('10.3.0.1', 'u-manager', f.password)).status).toBe(200);
    },
    MANY_LOGINS_MS,
  );
});

describe('password hashes (issue 18, finding 14)', () => {
  it('replaces a hash of the older scrypt cost at the next right login', async () => {
    await createUser(f.ingest.pool, 'old-hash', 'operator', 'x');
    const old = await hashUserPassword('Old-Pass-1', { N: 2 ** 14, r: 8, p: 1 });
    await f.ingest.pool.query("UPDATE users SET password_hash = $1 WHERE name = 'old-hash'", [old]);
    expect((await f.login('10.4.0.1', 'old-hash', 'Old-Pass-1')).status).toBe(200);
    const { rows } = await f.ingest.pool.query<{ password_hash: string }>(
      "SELECT password_hash FROM users WHERE name = 'old-hash'",
    );
    expect(rows[0]!.password_hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect((await f.login('10.4.0.1', 'old-hash', 'Old-Pass-1')).status).toBe(200);
  });

  it('refuses a customer link that has already expired (400)', async () => {
    const manager = await f.headersOf('manager');
    const past = await f.call('POST', '/api/customer-tokens', manager, {
      customer: 'Acme',
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(past.status).toBe(400);
    expect(((await past.json()) as { message: string }).message).toMatch(/not in the future/);
    const future = await f.call('POST', '/api/customer-tokens', manager, {
      customer: 'Acme',
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(future.status).toBe(201);
  });
});
