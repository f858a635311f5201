import { pino } from 'pino';
import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeLinkToken, ROLES, type Access, type RunningIngest } from '../../src';
import { createHttpApp } from '../../src/app';
import { createLinkToken } from '../../src/auth/store';
import {
  LINKED_STATION,
  startAccessFixture,
  WHO,
  type AccessFixture,
  type Who,
} from '../helpers/access-fixture';

/**
 * Who may call what: every route ingest registers, against what it should allow. A route
 * missing here fails the first test: add it with the roles it should allow.
 */
const B = [...ROLES, 'kiosk'] as const; // board reads
const S = ROLES; // staff
const M = ['admin', 'manager'] as const;
const ST = ['admin', 'manager', 'operator', 'station'] as const; // who acts at a station
const EXPECTED: Record<string, readonly Access[]> = {
  'GET /api/health': ['public'],
  'POST /api/auth/login': ['public'],
  'POST /api/auth/logout': S,
  'GET /api/auth/me': [...B, 'customer', 'station'],
  'GET /api/machines': B,
  'GET /api/machines/:id/samples': B,
  'GET /api/machines/:id/timeline': B,
  'POST /api/machines/:id/stop-reason': ['admin', 'manager', 'maintenance'],
  'PUT /api/machines/:id/stop-reason': M,
  'GET /api/oee': B,
  'GET /api/oee/shifts': B,
  'GET /api/oee/shift-report': B,
  'GET /api/boards/shift': B,
  'GET /api/plant': B,
  'GET /api/downtime': B,
  'GET /api/output': B,
  'POST /api/work-orders': M,
  'POST /api/work-orders/import': M,
  'GET /api/import-mappings': M,
  'PUT /api/import-mappings/:name': M,
  'DELETE /api/import-mappings/:name': M,
  'GET /api/work-orders': B,
  'GET /api/work-orders/:id': S,
  'GET /api/work-orders/:id/oee': S,
  'GET /api/work-orders/:id/history': S,
  'GET /api/work-orders/export': M,
  'PATCH /api/work-orders/:id': M,
  'POST /api/work-orders/:id/hold': M,
  'POST /api/work-orders/:id/resume': M,
  'POST /api/work-orders/:id/cancel': M,
  'POST /api/work-orders/:id/split': M,
  'GET /api/work-orders/:id/traveller.pdf': S,
  'GET /api/stations/:id/cards.pdf': [...S, 'station'],
  'GET /api/reports/shift.png': B,
  'GET /api/reports/daily.png': B,
  'GET /api/reports/monthly': M,
  'GET /api/reports/monthly.pdf': M,
  'GET /api/reports/images/:file': ['public'],
  'GET /api/kpis': B,
  'GET /api/kpis/weekly': B,
  'GET /api/quality': B,
  'GET /api/spc': S,
  'GET /api/spc/due': S,
  'GET /api/spc/:characteristic': S,
  'POST /api/spc/:characteristic/baseline': M,
  'POST /api/measurements': ['admin', 'manager', 'operator'],
  'GET /api/work-orders/:id/scrap': S,
  'POST /api/nonconformances': ['admin', 'manager', 'operator'],
  'POST /api/nonconformances/:id/disposition': ['admin', 'manager', 'operator'],
  'POST /api/nonconformances/:id/rework': ['admin', 'manager', 'operator'],
  'GET /api/nonconformances': ['admin', 'manager', 'operator'],
  'GET /api/nonconformances/summary': B,
  'GET /api/nonconformances/:id': ['admin', 'manager', 'operator'],
  'GET /api/work-orders/:id/nonconformances': S,
  'GET /api/alerts': B,
  'GET /api/alerts/export': S,
  'GET /api/alerts/:id': B,
  'POST /api/alerts/:id/ack': ['admin', 'manager', 'maintenance'],
  'POST /api/alerts/:id/clear': ['admin', 'manager', 'maintenance'],
  'GET /api/alert-rules': ['admin', 'manager', 'maintenance'],
  'PUT /api/alert-rules': ['admin'],
  'GET /api/alert-channels': ['admin', 'manager', 'maintenance'],
  'GET /api/stations/:id/andon': ['admin', 'manager', 'operator', 'station', 'maintenance'],
  'GET /api/andon/response-times': ['admin', 'manager', 'maintenance'],
  'GET /api/history': B,
  'GET /api/history.csv': S,
  'GET /api/ingest/metrics': ['admin', 'manager', 'maintenance'],
  'GET /api/dead-letters': ['admin', 'maintenance'],
  'GET /api/gateways': ['admin', 'maintenance'],
  'GET /api/gateways/:id': ['admin', 'maintenance'],
  'GET /api/gateways/bindings': ['admin'],
  'DELETE /api/gateways/bindings/:machine': ['admin'],
  'GET /api/gateways/:id/config': ['admin'],
  'PUT /api/gateways/:id/config': ['admin'],
  'POST /api/gateways/:id/update': ['admin'],
  'GET /api/gateways/:id/updates': ['admin'],
  'POST /api/agent-packages': ['admin'],
  'GET /api/agent-packages': ['admin'],
  'GET /api/agent-packages/:sha256/download': ['public'],
  'GET /api/users': ['admin'],
  'POST /api/users': ['admin'],
  'PATCH /api/users/:name': ['admin'],
  'GET /api/kiosk-tokens': M,
  'POST /api/kiosk-tokens': M,
  'DELETE /api/kiosk-tokens/:id': M,
  'GET /api/customer-tokens': M,
  'POST /api/customer-tokens': M,
  'DELETE /api/customer-tokens/:id': M,
  'GET /api/station-tokens': M,
  'POST /api/station-tokens': M,
  'DELETE /api/station-tokens/:id': M,
  'GET /api/stations/:id': ST,
  'POST /api/stations/:id/scans': ST,
  'POST /api/stations/:id/stop-reason': ST,
  'POST /api/stations/:id/pin': ST,
  'GET /api/operators': ['admin'],
  'POST /api/operators': ['admin'],
  'DELETE /api/operators/:badge': ['admin'],
  'GET /api/track/orders': ['customer'],
  'GET /api/track/orders/:id': ['customer'],
  'GET /api/plan': ['admin', 'manager', 'maintenance', 'kiosk'],
  'GET /api/plan/load': ['admin', 'manager', 'maintenance', 'kiosk'],
  'POST /api/promise': M,
};
let f: AccessFixture;
let ingest: RunningIngest;
let kiosk: string;
let acme: string;
const headersOf = (who: Who) => f.headersOf(who);
const call = (...args: Parameters<AccessFixture['call']>) => f.call(...args);

beforeAll(async () => {
  f = await startAccessFixture();
  ({ ingest, kiosk, acme } = f);
});
afterAll(() => f?.stop());

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
      for (const who of WHO) {
        // A station link is tried on its own station: elsewhere it is refused whatever the route.
        const id = who === 'station' ? LINKED_STATION : '999999';
        const path = url.replace(':id', id).replace(':name', 'nobody');
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

describe('station links and operators (docs/decisions.md "Issue 17 — the operator station")', () => {
  const scanBody = (seq: number) => ({
    device: 'tablet-access-1',
    scans: [{ seq, ts: Date.now(), code: 'E1234' }],
  });

  it('lets a station link act on its own station only', async () => {
    const station = await headersOf('station');
    const me = await call('GET', '/api/auth/me', station);
    expect(await me.json()).toEqual({
      kind: 'station',
      label: 'bench tablet',
      station: LINKED_STATION,
    });
    expect((await call('GET', `/api/stations/${LINKED_STATION}`, station)).status).toBe(200);
    const own = await call('POST', `/api/stations/${LINKED_STATION}/scans`, station, scanBody(1));
    expect(own.status).toBe(200);
    expect(await own.json()).toEqual({ acked: [[1, 1]] });
    // Another station, even with a body that would do, and every route not of a station.
    expect((await call('GET', '/api/stations/golden-2', station)).status).toBe(403);
    expect((await call('POST', '/api/stations/golden-2/scans', station, scanBody(2))).status).toBe(
      403,
    );
    expect((await call('GET', '/api/machines', station)).status).toBe(403);
    expect((await call('GET', `/api/machines/${LINKED_STATION}/timeline`, station)).status).toBe(
      403,
    );
    expect(
      (
        await call('POST', `/api/machines/${LINKED_STATION}/stop-reason`, station, {
          reason: 'jam',
        })
      ).status,
    ).toBe(403);
  });

  it('lets an operator change data only at stations, and read as before', async () => {
    const operator = await headersOf('operator');
    expect((await call('GET', '/api/machines', operator)).status).toBe(200);
    expect(
      (await call('POST', '/api/machines/golden-1/stop-reason', operator, { reason: 'jam' }))
        .status,
    ).toBe(403);
    expect(
      (
        await call('PUT', '/api/machines/golden-1/stop-reason', operator, {
          stopStart: new Date().toISOString(),
          reason: 'jam',
        })
      ).status,
    ).toBe(403);
    const scans = await call('POST', '/api/stations/golden-2/scans', operator, {
      device: 'tablet-access-2',
      scans: [{ seq: 1, ts: Date.now(), code: 'QTY:1' }],
    });
    expect(scans.status).toBe(200);
    // A scan that names nobody is the signed-in operator's.
    const { rows } = await ingest.pool.query(
      "SELECT operator FROM scans WHERE gateway_id = 'web:tablet-access-2'",
    );
    expect(rows).toEqual([{ operator: 'u-operator' }]);
  });

  it('makes a station link on the Links page, for a known station only, and revokes it', async () => {
    const manager = await headersOf('manager');
    const unknown = await call('POST', '/api/station-tokens', manager, { station: 'nowhere' });
    expect(unknown.status).toBe(404);
    const made = await call('POST', '/api/station-tokens', manager, { station: 'golden-2' });
    expect(made.status).toBe(201);
    const link = (await made.json()) as {
      id: number;
      token: string;
      path: string;
      station: string;
    };
    expect(link.station).toBe('golden-2');
    expect(link.path).toBe(`/station/golden-2#station=${link.token}`);
    const bearer = { authorization: `Bearer ${link.token}` };
    expect((await call('GET', '/api/stations/golden-2', bearer)).status).toBe(200);
    const listed = (await (await call('GET', '/api/station-tokens', manager)).json()) as {
      id: number;
    }[];
    expect(listed.map((t) => t.id)).toContain(link.id);
    expect((await call('DELETE', `/api/station-tokens/${link.id}`, manager)).status).toBe(200);
    expect((await call('GET', '/api/stations/golden-2', bearer)).status).toBe(401);
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
