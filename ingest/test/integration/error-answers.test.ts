import { allRoutes, type Access } from '@takt/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAccessFixture, WHO, type AccessFixture, type Who } from '../helpers/access-fixture';

/*
 * Errors without internals (docs/decisions.md "Issue 18 — imports off the event loop, one
 * CSV writer, errors without internals"): a path id with a control character is a 400 on
 * every route that takes one, and a database error reaches nobody but the log — not an
 * anonymous health check, not a route's answer, which carries an id to find it in the log.
 */
let f: AccessFixture;

beforeAll(async () => {
  f = await startAccessFixture();
});
afterAll(() => f?.stop());

/** Headers of someone a route lets in: nobody's for a public route (a signed report image). */
async function headersFor(access: readonly Access[]): Promise<Record<string, string>> {
  return access.includes('public') ? {} : f.headersOf(allowed(access));
}

/** Someone a route lets in (its first access the fixture can sign in as). */
function allowed(access: readonly Access[]): Who {
  const who = access.find((a) => (WHO as readonly string[]).includes(a));
  if (!who) throw new Error(`no fixture caller for access ${access.join(', ')}`);
  return who as Who;
}

describe('errors without internals (issue 18)', () => {
  it('answers 400 to a path id with NUL or a control character, on every route that takes one', async () => {
    const routes = allRoutes().filter((r) => r.path.includes('/:'));
    expect(routes.length).toBeGreaterThanOrEqual(10);
    for (const route of routes)
      for (const bad of ['WO-24119%00', 'WO%0A24119', 'WO%7F', 'WO%C2%85']) {
        const path = route.path.replace(/:(\w+)/g, bad);
        const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
        const answer = await f.call(route.method, path, await headersFor(route.access), body);
        const text = await answer.text();
        expect(answer.status, `${route.method} ${path}: ${text}`).toBe(400);
        const name = /:(\w+)/.exec(route.path)![1]!;
        expect(JSON.parse(text), `${route.method} ${path}`).toMatchObject({
          code: 'INGEST_ERR_BAD_REQUEST',
          message: expect.stringContaining(`${name}:`),
        });
      }
  });

  it('keeps database errors out of answers: anonymous health, a route (with an error id for the log)', async () => {
    await f.ingest.pool.query('ALTER TABLE dead_letters RENAME TO dead_letters_away');
    try {
      const anonymous = await f.call('GET', '/api/health');
      expect(anonymous.status).toBe(503);
      expect(await anonymous.json()).toEqual({ status: 'degraded' });
      const staff = await f.call('GET', '/api/health', await f.headersOf('maintenance'));
      expect(staff.status).toBe(503);
      expect(await staff.json()).toEqual({
        status: 'degraded',
        database: 'relation "dead_letters" does not exist',
      });

      const route = await f.call('GET', '/api/dead-letters', await f.headersOf('admin'));
      expect(route.status).toBe(500);
      const text = await route.text();
      expect(text).not.toMatch(/dead_letters|relation|42P01/);
      const body = JSON.parse(text) as { id: string };
      expect(body).toEqual({
        error: 'Internal Server Error',
        code: 'INGEST_ERR_INTERNAL',
        message: `internal error; the ingest log has the details under error id ${body.id}`,
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      const logged = f.logLines.find((l) => l.includes(body.id));
      expect(logged).toContain('relation \\"dead_letters\\" does not exist');
      expect(logged).toContain('42P01');
    } finally {
      await f.ingest.pool.query('ALTER TABLE dead_letters_away RENAME TO dead_letters');
    }
    expect((await f.call('GET', '/api/health')).status).toBe(200);
  });
});
