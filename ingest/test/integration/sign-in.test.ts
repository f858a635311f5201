import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type RunningIngest } from '../../src';
import { startAccessFixture, type AccessFixture, type Who } from '../helpers/access-fixture';

let f: AccessFixture;
let ingest: RunningIngest;
let kiosk: string;
let acme: string;
let password: string;
const headersOf = (who: Who) => f.headersOf(who);
const call = (...args: Parameters<AccessFixture['call']>) => f.call(...args);
const login = (...args: Parameters<AccessFixture['login']>) => f.login(...args);

beforeAll(async () => {
  f = await startAccessFixture();
  ({ ingest, kiosk, acme, password } = f);
});
afterAll(() => f?.stop());

describe('sign-in', () => {
  it('signs in with a cookie, knows who it is, and signs out', async () => {
    const response = await login('10.0.0.1', 'u-operator', password);
    expect(response.status).toBe(200);
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^takt_session=tks_[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict/);
    expect(await response.json()).toMatchObject({ user: { name: 'u-operator', role: 'operator' } });
    const session = { cookie: cookie.split(';')[0]! };
    expect(await (await call('GET', '/api/auth/me', session)).json()).toEqual({
      kind: 'user',
      name: 'u-operator',
      role: 'operator',
    });
    expect((await call('POST', '/api/auth/logout', session)).status).toBe(204);
    expect((await call('GET', '/api/auth/me', session)).status).toBe(401);
  });

  it('gives scripts a bearer token instead of a cookie when asked', async () => {
    const response = await login('10.0.0.2', 'u-manager', password, true);
    const body = (await response.json()) as { token: string };
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(body.token).toMatch(/^tks_/);
    const me = await call('GET', '/api/auth/me', { authorization: `Bearer ${body.token}` });
    expect(await me.json()).toMatchObject({ role: 'manager' });
  });

  it('limits failed logins per client address, and only that address', async () => {
    for (let i = 0; i < 5; i++)
      expect((await login('10.0.0.66', 'u-admin', `wrong-${i}`)).status).toBe(401);
    const limited = await login('10.0.0.66', 'u-admin', password); // even the right one
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(800);
    expect((await limited.json()) as { code: string }).toMatchObject({
      code: 'INGEST_ERR_LOGIN_LIMIT',
    });
    expect((await login('10.0.0.67', 'u-admin', password)).status).toBe(200);
  }, 120_000); // seven logins at scrypt N=2^17 (protocol/src/passwords.ts): seconds on a busy machine

  it('says the same for an unknown user as for a wrong password', async () => {
    const unknown = await login('10.0.0.3', 'no-such-user', password);
    const wrong = await login('10.0.0.3', 'u-admin', 'not-it');
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual(await wrong.json());
  });

  it('refuses a disabled user at once, sessions included', async () => {
    const admin = await headersOf('admin');
    const created = await call('POST', '/api/users', admin, { name: 'temp-op', role: 'operator' });
    expect(created.status).toBe(201);
    const { password: generated } = (await created.json()) as { password: string };
    expect(generated).toHaveLength(24);
    const signed = (await (await login('10.0.0.4', 'temp-op', generated, true)).json()) as {
      token: string;
    };
    const auth = { authorization: `Bearer ${signed.token}` };
    expect((await call('GET', '/api/machines', auth)).status).toBe(200);
    expect((await call('PATCH', '/api/users/temp-op', admin, { disabled: true })).status).toBe(200);
    expect((await call('GET', '/api/machines', auth)).status).toBe(401);
    expect((await login('10.0.0.4', 'temp-op', generated)).status).toBe(401);
  });

  it('keeps the last admin', async () => {
    const admin = await headersOf('admin');
    const response = await call('PATCH', '/api/users/u-admin', admin, { role: 'operator' });
    expect(response.status).toBe(409);
  });
});

describe('security headers and logs', () => {
  it('sets security headers on API answers and the dashboard alike', async () => {
    for (const path of ['/api/health', '/', '/api/machines']) {
      const response = await call('GET', path);
      expect(response.headers.get('content-security-policy'), path).toContain(
        "frame-ancestors 'none'",
      );
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
    expect((await call('GET', '/api/health')).headers.get('cache-control')).toBe('no-store');
  });

  it('never writes a password or a token into the log', async () => {
    const secretPassword = 'Sup3r-Secret-Pw-42';
    const user = await createUser(ingest.pool, 'log-check', 'maintenance', secretPassword);
    expect(user).toBeDefined();
    const before = f.logLines.length;
    const ok = (await (await login('10.0.0.9', 'log-check', secretPassword, true)).json()) as {
      token: string;
    };
    await login('10.0.0.9', 'log-check', `${secretPassword}-typo`);
    const cookieLogin = await login('10.0.0.9', 'log-check', secretPassword);
    const cookie = cookieLogin.headers.get('set-cookie')!.split(';')[0]!;
    await call('GET', '/api/machines', { authorization: `Bearer ${ok.token}` });
    await call('GET', '/api/machines', { cookie });
    await call('GET', '/api/machines', { authorization: `Bearer ${kiosk}` });
    await call('GET', '/api/track/orders', { authorization: `Bearer ${acme}` });
    await call('POST', '/api/users', { authorization: `Bearer ${ok.token}` }, { name: 'x' });
    const written = f.logLines.slice(before).join('');
    // The log did record these requests (else this test could not fail)...
    expect(written).toContain('login failed');
    expect(written).toContain('incoming request');
    expect(written).toContain('access refused');
    // ...and none of the secrets.
    for (const secret of [secretPassword, ok.token, cookie.split('=')[1]!, kiosk, acme])
      expect(written).not.toContain(secret);
  });
});
