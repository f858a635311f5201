import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startBroker, type RunningBroker } from '@takt/broker';
import { pino } from 'pino';
import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSession,
  createUser,
  revokeLinkToken,
  ROLES,
  startIngest,
  type Access,
  type RunningIngest,
} from '../../src';
import { createHttpApp } from '../../src/app';
import { createLinkToken } from '../../src/auth/store';
import { createTestDatabase } from '../helpers/test-db';

/**
 * Who may call what: every route ingest registers, against what it should allow. A route
 * missing here fails the first test: add it with the roles it should allow.
 */
const B = [...ROLES, 'kiosk'] as const; // board reads
const S = ROLES; // staff
const M = ['admin', 'manager'] as const;
const EXPECTED: Record<string, readonly Access[]> = {
  'GET /api/health': ['public'],
  'POST /api/auth/login': ['public'],
  'POST /api/auth/logout': S,
  'GET /api/auth/me': [...B, 'customer'],
  'GET /api/machines': B,
  'GET /api/machines/:id/samples': B,
  'POST /api/machines/:id/stop-reason': S,
  'GET /api/oee': B,
  'GET /api/downtime': B,
  'GET /api/output': B,
  'POST /api/work-orders': M,
  'POST /api/work-orders/import': M,
  'GET /api/work-orders/:id': S,
  'GET /api/users': ['admin'],
  'POST /api/users': ['admin'],
  'PATCH /api/users/:name': ['admin'],
  'GET /api/kiosk-tokens': M,
  'POST /api/kiosk-tokens': M,
  'DELETE /api/kiosk-tokens/:id': M,
  'GET /api/customer-tokens': M,
  'POST /api/customer-tokens': M,
  'DELETE /api/customer-tokens/:id': M,
  'GET /api/track/orders': ['customer'],
  'GET /api/track/orders/:id': ['customer'],
};
const WHO = ['anonymous', ...ROLES, 'kiosk', 'customer'] as const;
type Who = (typeof WHO)[number];

const logLines: string[] = [];
const log = pino(
  { level: 'trace' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  }),
);
const password = 'Correct-Horse-9';
let broker: RunningBroker;
let ingest: RunningIngest;
let userIds: Record<string, number>;
let kiosk: string;
let acme: string;

async function headersOf(who: Who): Promise<Record<string, string>> {
  if (who === 'anonymous') return {};
  if (who === 'kiosk') return { authorization: `Bearer ${kiosk}` };
  if (who === 'customer') return { authorization: `Bearer ${acme}` };
  // A fresh session per call: the logout route ends the one it is called with.
  const { token } = await createSession(ingest.pool, userIds[who]!, 60_000);
  return { authorization: `Bearer ${token}` };
}

async function call(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<Response> {
  return fetch(`${ingest.url}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const login = (address: string, username: string, pw: string, bearer = false) =>
  call(
    'POST',
    '/api/auth/login',
    { 'x-forwarded-for': address },
    { username, password: pw, bearer },
  );

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_access'),
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'ingest-access' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../fixtures/golden-plant.yaml'),
    trustProxy: true, // the tests play several client addresses with X-Forwarded-For
    httpLogLevel: 'trace',
    log,
  });
  userIds = {};
  for (const role of ROLES)
    userIds[role] = (await createUser(ingest.pool, `u-${role}`, role, password))!.id;
  kiosk = (await createLinkToken(ingest.pool, { kind: 'kiosk', label: 'hall TV', createdBy: null }))
    .token;
  acme = (
    await createLinkToken(ingest.pool, {
      kind: 'customer',
      label: 'Acme',
      customer: 'Acme',
      createdBy: null,
    })
  ).token;
});
afterAll(async () => {
  await ingest?.stop();
  await broker?.stop();
});

describe('API access (issue 9)', () => {
  it('knows every registered route, and each declares what the table expects', () => {
    const served = ingest.routes.filter((r) => r.url.startsWith('/api/'));
    expect(served.map((r) => `${r.method} ${r.url}`).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const r of served)
      expect([...r.access!].sort(), `${r.method} ${r.url}`).toEqual(
        [...EXPECTED[`${r.method} ${r.url}`]!].sort(),
      );
  });

  it('answers every route × caller with 401, 403 or past the gate, as the table says', async () => {
    const outcomes: string[] = [];
    const wanted: string[] = [];
    for (const [route, allowed] of Object.entries(EXPECTED)) {
      const [method, url] = route.split(' ') as [string, string];
      const path = url.replace(':id', '999999').replace(':name', 'nobody');
      for (const who of WHO) {
        const response = await call(
          method,
          path,
          await headersOf(who),
          method === 'GET' ? undefined : {},
        );
        const got = response.status === 401 || response.status === 403 ? response.status : 'ok';
        const expected =
          allowed.includes('public') || (who !== 'anonymous' && allowed.includes(who))
            ? 'ok'
            : who === 'anonymous'
              ? 401
              : 403;
        outcomes.push(`${route} as ${who}: ${got}`);
        wanted.push(`${route} as ${who}: ${expected}`);
      }
    }
    expect(outcomes).toEqual(wanted);
  });

  it('refuses every change to a kiosk token, whatever a route would allow', async () => {
    for (const r of ingest.routes.filter((r) => r.url.startsWith('/api/') && r.method !== 'GET')) {
      if (r.access!.includes('public')) continue;
      const response = await call(
        r.method,
        r.url.replace(/:\w+/g, '1'),
        await headersOf('kiosk'),
        {},
      );
      expect(response.status, `${r.method} ${r.url}`).toBe(403);
    }
    // ...and a route declaring kiosk on a change does not even register.
    const { app } = createHttpApp(pino({ level: 'silent' }), undefined);
    expect(() =>
      app.post('/api/alerts/:id/ack', { config: { access: ['kiosk'] } }, async () => ({})),
    ).toThrow(/kiosk and customer tokens are read-only/);
    await app.close();
  });

  it('guards HEAD as its GET, and answers 404 for no route', async () => {
    expect((await call('HEAD', '/api/machines')).status).toBe(401);
    expect((await call('HEAD', '/api/machines', await headersOf('kiosk'))).status).toBe(200);
    expect((await call('GET', '/api/no-such-route')).status).toBe(404);
  });

  it('refuses to start with a route that declares no access', async () => {
    const { app } = createHttpApp(pino({ level: 'silent' }), undefined);
    expect(() => app.get('/api/forgotten', async () => ({}))).toThrow(/declares no access/);
    await app.close();
  });

  it('refuses an unknown, a revoked and an expired token', async () => {
    const garbage = await call('GET', '/api/machines', { authorization: 'Bearer tkk_nope' });
    expect(garbage.status).toBe(401);
    const tv = await createLinkToken(ingest.pool, {
      kind: 'kiosk',
      label: 'TV 2',
      createdBy: null,
    });
    expect(
      (await call('GET', '/api/machines', { authorization: `Bearer ${tv.token}` })).status,
    ).toBe(200);
    const admin = await headersOf('admin');
    const revoked = await call('DELETE', `/api/kiosk-tokens/${tv.record.id}`, admin);
    expect(revoked.status).toBe(200);
    expect(
      (await call('GET', '/api/machines', { authorization: `Bearer ${tv.token}` })).status,
    ).toBe(401);
    const old = await createLinkToken(ingest.pool, {
      kind: 'customer',
      label: 'old',
      customer: 'Acme',
      createdBy: null,
      expiresAt: new Date(Date.now() - 1000),
    });
    expect(
      (await call('GET', '/api/track/orders', { authorization: `Bearer ${old.token}` })).status,
    ).toBe(401);
    await revokeLinkToken(ingest.pool, 'kiosk', tv.record.id); // twice: still revoked, no error
  });
});

describe('customer tracking (issues 6 and 9)', () => {
  type Track = { customer: string; orders: { id: string; stage: unknown; history: unknown[] }[] };

  it("shows a customer its own orders and nothing of another customer's", async () => {
    const manager = await headersOf('manager');
    for (const [id, customer] of [
      ['WO-A1', 'Acme'],
      ['WO-A2', 'Acme'],
      ['WO-G1', 'Globex'],
    ] as const) {
      const created = await call('POST', '/api/work-orders', manager, {
        id,
        product: 'part-a',
        quantity: 100,
        customer,
        dueAt: '2030-01-01T00:00:00Z',
        operations: [
          { id: 'OP10', machine: 'golden-1' },
          { id: 'OP20', machine: 'golden-2' },
        ],
      });
      expect(created.status, id).toBe(201);
    }
    const link = await call('POST', '/api/customer-tokens', manager, { customer: 'Globex' });
    expect(link.status).toBe(201);
    const globex = (await link.json()) as { token: string; path: string; id: number };
    expect(globex.path).toBe(`/track#${globex.token}`);

    const acmeView = (await (
      await call('GET', '/api/track/orders', { authorization: `Bearer ${acme}` })
    ).json()) as Track;
    expect(acmeView.customer).toBe('Acme');
    expect(acmeView.orders.map((o) => o.id)).toEqual(['WO-A1', 'WO-A2']);
    expect(acmeView.orders[0]).toMatchObject({
      status: 'released',
      stage: { operation: 'OP10', status: 'pending' },
      progress: 0,
      history: [{ event: 'created', operation: null }],
    });
    expect(acmeView.orders[0]).not.toHaveProperty('priority');
    const globexView = (await (
      await call('GET', '/api/track/orders', { authorization: `Bearer ${globex.token}` })
    ).json()) as Track;
    expect(globexView.orders.map((o) => o.id)).toEqual(['WO-G1']);

    // Another customer's order is as good as non-existent.
    const foreign = await call('GET', '/api/track/orders/WO-G1', {
      authorization: `Bearer ${acme}`,
    });
    expect(foreign.status).toBe(404);
    const own = await call('GET', '/api/track/orders/WO-A2', { authorization: `Bearer ${acme}` });
    expect(own.status).toBe(200);
    // Nor the staff routes, which show any order.
    expect(
      (await call('GET', '/api/work-orders/WO-G1', { authorization: `Bearer ${acme}` })).status,
    ).toBe(403);

    // Revoked: refused from then on.
    expect((await call('DELETE', `/api/customer-tokens/${globex.id}`, manager)).status).toBe(200);
    expect(
      (await call('GET', '/api/track/orders', { authorization: `Bearer ${globex.token}` })).status,
    ).toBe(401);
    const listed = (await (await call('GET', '/api/customer-tokens', manager)).json()) as {
      id: number;
      revokedAt: string | null;
    }[];
    expect(listed.find((t) => t.id === globex.id)!.revokedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(globex.token);
  });
});

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
  });

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
    const before = logLines.length;
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
    const written = logLines.slice(before).join('');
    // The log did record these requests (else this test could not fail)...
    expect(written).toContain('login failed');
    expect(written).toContain('incoming request');
    expect(written).toContain('access refused');
    // ...and none of the secrets.
    for (const secret of [secretPassword, ok.token, cookie.split('=')[1]!, kiosk, acme])
      expect(written).not.toContain(secret);
  });
});

describe('socket.io (issue 9)', () => {
  const connect = (auth: Record<string, string>) =>
    connectSocket(ingest.url, { transports: ['websocket'], auth, reconnection: false });

  it('refuses a connection without a valid token', async () => {
    for (const auth of [{}, { token: 'tks_forged' }] as Record<string, string>[]) {
      const socket = connect(auth);
      const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
      expect(error.message).toBe('unauthorized');
      socket.close();
    }
  });

  it('drops a screen at once when its kiosk link is revoked, and refuses it after', async () => {
    const tv = await createLinkToken(ingest.pool, {
      kind: 'kiosk',
      label: 'TV 3',
      createdBy: null,
    });
    const screen = connect({ token: tv.token });
    await new Promise((resolve) => screen.once('machines:snapshot', resolve));
    const gone = new Promise<string>((resolve) => screen.once('disconnect', resolve));
    const revoked = await call(
      'DELETE',
      `/api/kiosk-tokens/${tv.record.id}`,
      await headersOf('manager'),
    );
    expect(revoked.status).toBe(200);
    expect(await gone).toBe('io server disconnect');
    const again = connect({ token: tv.token });
    const error = await new Promise<Error>((resolve) => again.once('connect_error', resolve));
    expect(error.message).toBe('unauthorized');
    again.close();
  });

  it('gives a kiosk screen the board snapshot, and a customer token no board at all', async () => {
    const screen = connect({ token: kiosk });
    const snapshot = await new Promise<{ machines: unknown[] }>((resolve) =>
      screen.once('machines:snapshot', resolve),
    );
    expect(Array.isArray(snapshot.machines)).toBe(true);
    screen.close();

    const customer = connect({ token: acme });
    const events: string[] = [];
    customer.onAny((event: string) => events.push(event));
    await new Promise<void>((resolve) => customer.once('connect', () => resolve()));
    await new Promise((r) => setTimeout(r, 500));
    expect(events).toEqual([]);
    customer.close();
  });
});
