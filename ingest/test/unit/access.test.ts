import { describe, expect, it } from 'vitest';
import { decideAccess, declarationProblem, type Principal } from '../../src/auth/access';
import { LoginLimiter } from '../../src/auth/login-limiter';
import { redactUrl } from '../../src/auth/headers';

const kiosk: Principal = { kind: 'kiosk', tokenId: 1, label: 'TV' };
const customer: Principal = { kind: 'customer', tokenId: 2, label: 'Acme', customer: 'Acme' };
const operator: Principal = {
  kind: 'user',
  userId: 3,
  name: 'op',
  role: 'operator',
  sessionHash: Buffer.alloc(32),
};

describe('decideAccess', () => {
  it('lets a declared role pass, refuses others, and asks nobody to sign in for public', () => {
    expect(decideAccess(operator, ['operator'], 'POST')).toBe('allow');
    expect(decideAccess(operator, ['admin'], 'GET')).toBe('forbidden');
    expect(decideAccess(undefined, ['operator'], 'GET')).toBe('unauthenticated');
    expect(decideAccess(undefined, ['public'], 'POST')).toBe('allow');
  });

  it('never lets a link token change anything, even where a route would allow it', () => {
    expect(decideAccess(kiosk, ['kiosk'], 'GET')).toBe('allow');
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(decideAccess(kiosk, ['kiosk'], method)).toBe('forbidden');
      expect(decideAccess(customer, ['customer'], method)).toBe('forbidden');
    }
  });
});

describe('a station link (docs/decisions.md "Issue 17 — the operator station")', () => {
  const station: Principal = { kind: 'station', tokenId: 4, label: 'tablet', station: 'press-01' };
  const actors = ['admin', 'manager', 'operator', 'station'] as const;

  it('acts on its own station, writes included, and nowhere else', () => {
    expect(decideAccess(station, actors, 'GET', { id: 'press-01' })).toBe('allow');
    expect(decideAccess(station, actors, 'POST', { id: 'press-01' })).toBe('allow');
    expect(decideAccess(station, actors, 'POST', { id: 'press-02' })).toBe('forbidden');
    expect(decideAccess(station, ['admin', 'kiosk'], 'GET', { id: 'press-01' })).toBe('forbidden');
    // A route without a station (GET /api/auth/me) only to read.
    expect(decideAccess(station, [...actors], 'GET', {})).toBe('allow');
    expect(decideAccess(station, [...actors], 'POST', {})).toBe('forbidden');
  });

  it('refuses a route that lets station links change data without naming the station', () => {
    expect(declarationProblem('POST', '/api/stations/:id/scans', ['station'])).toBeUndefined();
    expect(declarationProblem('POST', '/api/anything', ['station'])).toMatch(/has no :id/);
  });
});

describe('declarationProblem', () => {
  it('names the route and what is wrong', () => {
    expect(declarationProblem('GET', '/api/x', undefined)).toMatch(
      /GET \/api\/x declares no access/,
    );
    expect(declarationProblem('GET', '/api/x', [])).toMatch(/declares no access/);
    expect(declarationProblem('GET', '/api/x', ['root'])).toMatch(/unknown access \["root"\]/);
    expect(declarationProblem('POST', '/api/x', ['admin', 'kiosk'])).toMatch(/read-only/);
    expect(declarationProblem('GET', '/api/x', ['admin', 'kiosk'])).toBeUndefined();
  });
});

describe('LoginLimiter', () => {
  it('refuses an address after maxFailures within the window, until the oldest ages out', () => {
    let now = 0;
    const limiter = new LoginLimiter(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterMs('a')).toBe(0);
      limiter.fail('a');
      now += 1000;
    }
    expect(limiter.retryAfterMs('a')).toBe(57_000);
    expect(limiter.retryAfterMs('b')).toBe(0);
    now = 60_001;
    expect(limiter.retryAfterMs('a')).toBe(0);
  });
});

describe('redactUrl', () => {
  it('hides tokens in a path', () => {
    expect(redactUrl('/api/x/tkc_abcDEF-12_3?y=1')).toBe('/api/x/tk*_[redacted]?y=1');
  });
});
