import { api, loginBodySchema } from '@takt/protocol';
import type { FastifyReply } from 'fastify';
import { decideAccess, principalAccess, type Principal } from '../auth/access';
import {
  clearedSessionCookie,
  presentedToken,
  resolvePrincipal,
  sessionCookie,
} from '../auth/credentials';
import { dropSockets, guardSockets, sessionHolder } from '../auth/sockets';
import { LoginLimiter } from '../auth/login-limiter';
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from '../auth/secrets';
import { createSession, endSession, findUserForLogin } from '../auth/store';
import { INGEST_ERRORS, IngestError } from '../errors';
import { routeOf } from '../route-contract';
import { badRequest } from './bad-request';
import type { IngestPlugin } from './types';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, set by the access hook (undefined: nobody signed in). */
    principal: Principal | undefined;
  }
}

export function describePrincipal(p: Principal) {
  switch (p.kind) {
    case 'user':
      return { kind: 'user' as const, name: p.name, role: p.role };
    case 'kiosk':
      return { kind: 'kiosk' as const, label: p.label };
    case 'customer':
      return { kind: 'customer' as const, label: p.label, customer: p.customer };
    case 'station':
      return { kind: 'station' as const, label: p.label, station: p.station };
  }
}

/**
 * Sessions and the access check (issue 9): one onRequest hook holds every `/api/*` request
 * to its route's `config.access`; socket.io handshakes go through the same credentials.
 * Login is rate limited per client address and per user name.
 */
export const authPlugin: IngestPlugin = (app, { pool, io, log, settings }) => {
  const limiter = new LoginLimiter(settings.loginMaxFailures, settings.loginWindowMs);
  const accounts = new LoginLimiter(settings.loginAccountMaxFailures, settings.loginWindowMs);
  const tooMany = (reply: FastifyReply, waitMs: number, from: string) => {
    const seconds = Math.ceil(waitMs / 1000);
    // An answer the contract lists among its errors, not its main one: sent untyped.
    return reply
      .code(429)
      .header('retry-after', String(seconds))
      .send({
        error: 'Too Many Requests',
        code: 'INGEST_ERR_LOGIN_LIMIT',
        message: INGEST_ERRORS.INGEST_ERR_LOGIN_LIMIT(seconds, from),
      });
  };
  app.decorateRequest('principal', undefined);

  app.addHook('onRequest', async (request, reply) => {
    // By the matched route's pattern, not the raw URL: files and 404s pass, every API route is checked.
    if (!request.routeOptions.url?.startsWith('/api/')) return;
    // Fail closed: an API route that somehow has no declaration is nobody's.
    const access = request.routeOptions.config.access ?? [];
    request.principal = await resolvePrincipal(pool, presentedToken(request.headers));
    const decision = decideAccess(request.principal, access, request.method, request.params);
    if (decision === 'allow') return;
    const status = decision === 'unauthenticated' ? 401 : 403;
    if (status === 403)
      log.info(
        {
          who: principalAccess(request.principal!),
          method: request.method,
          route: request.routeOptions.url,
        },
        'access refused',
      );
    return reply.code(status).send({
      error: status === 401 ? 'Unauthorized' : 'Forbidden',
      code: status === 401 ? 'INGEST_ERR_UNAUTHENTICATED' : 'INGEST_ERR_FORBIDDEN',
      message:
        status === 401
          ? INGEST_ERRORS.INGEST_ERR_UNAUTHENTICATED()
          : INGEST_ERRORS.INGEST_ERR_FORBIDDEN(principalAccess(request.principal!)),
    });
  });

  guardSockets(io, {
    pool,
    log,
    publicUrl: settings.publicUrl,
    ...(settings.socketRecheckMs ? { recheckMs: settings.socketRecheckMs } : {}),
  });

  app.post('/api/auth/login', routeOf(api.auth.login), async (request, reply) => {
    const address = request.ip;
    const waitMs = limiter.retryAfterMs(address);
    if (waitMs > 0) return tooMany(reply as FastifyReply, waitMs, 'from this address');
    // The body is checked here, after the limit (protocol/src/api/auth.ts, validateInHandler).
    const body = loginBodySchema.safeParse(request.body);
    if (!body.success) throw badRequest(body.error);
    const { username, password, bearer } = body.data;
    // Per user name too: many addresses (a botnet, forged X-Forwarded-For) share this count.
    const accountWaitMs = accounts.retryAfterMs(username);
    if (accountWaitMs > 0) {
      log.warn({ username, address }, 'login refused: too many failures for this user name');
      return tooMany(reply as FastifyReply, accountWaitMs, 'for this user name');
    }
    const user = await findUserForLogin(pool, username);
    // Same scrypt work whether the user exists or not: timing tells nothing.
    const ok = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash()));
    if (!user || !ok) {
      limiter.fail(address);
      accounts.fail(username);
      log.info({ username, address }, 'login failed');
      throw new IngestError('INGEST_ERR_LOGIN', INGEST_ERRORS.INGEST_ERR_LOGIN(), 401);
    }
    if (needsRehash(user.password_hash)) {
      // A hash of an older cost (protocol/src/passwords.ts) is replaced now that the password is known.
      await pool.query('UPDATE users SET password_hash = $2 WHERE id = $1 AND password_hash = $3', [
        user.id,
        await hashPassword(password),
        user.password_hash,
      ]);
      log.info({ username }, 'password hash upgraded to the current scrypt cost');
    }
    const session = await createSession(pool, Number(user.id), settings.sessionTtlMs);
    log.info({ username, role: user.role, address }, 'signed in');
    const answer = {
      user: { name: user.name, role: user.role },
      expiresAt: session.expiresAt.toISOString(),
    };
    if (bearer) return { ...answer, token: session.token };
    void reply.header(
      'set-cookie',
      sessionCookie(session.token, Math.floor(settings.sessionTtlMs / 1000), settings.secure),
    );
    return answer;
  });

  app.post('/api/auth/logout', routeOf(api.auth.logout), async (request, reply) => {
    const p = request.principal;
    if (p?.kind === 'user') {
      await endSession(pool, p.sessionHash);
      dropSockets(io, sessionHolder(p.sessionHash));
    }
    return reply.header('set-cookie', clearedSessionCookie(settings.secure)).code(204).send();
  });

  app.get('/api/auth/me', routeOf(api.auth.me), async (request) =>
    describePrincipal(request.principal!),
  );
};
