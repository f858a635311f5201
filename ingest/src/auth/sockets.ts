import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Server as SocketServer, Socket } from 'socket.io';
import type { Principal } from './access';
import { presentedToken, resolvePrincipal } from './credentials';
import { hashToken, tokenKind } from './secrets';

/**
 * Closes the live connections a credential opened, when it stops being valid (sign-out,
 * revoked link, disabled user): a TV whose link was revoked goes dark at once, not at its
 * next reconnect.
 */
export function dropSockets(io: SocketServer, holds: (p: Principal) => boolean): number {
  let dropped = 0;
  for (const socket of io.of('/').sockets.values()) {
    const principal = socket.data.principal as Principal | undefined;
    if (principal && holds(principal)) {
      socket.disconnect(true);
      dropped++;
    }
  }
  return dropped;
}

export const tokenHolder = (tokenId: number) => (p: Principal) =>
  p.kind !== 'user' && p.tokenId === tokenId;
export const sessionHolder = (sessionHash: Buffer) => (p: Principal) =>
  p.kind === 'user' && p.sessionHash.equals(sessionHash);
export const userHolder = (userId: number) => (p: Principal) =>
  p.kind === 'user' && p.userId === userId;

export interface SocketGuardOptions {
  pool: Pool;
  log: Logger;
  /** TAKT_PUBLIC_URL: the one Origin browsers may connect from; unset, the request's own host. */
  publicUrl?: string | undefined;
  /**
   * How often a live socket's credential is checked again (default 60 s): a session ended
   * or a link revoked through another ingest instance closes its sockets here too.
   */
  recheckMs?: number;
}

/** setTimeout's longest wait (~24.8 days); a later expiry is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Why this Origin may not open a socket, or undefined. No Origin is a script or a
 * same-origin request (browsers always send one cross-origin and on every WebSocket).
 */
export function originProblem(
  origin: string | undefined,
  host: string | undefined,
  publicUrl: string | undefined,
): string | undefined {
  if (origin === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `origin not allowed: ${origin.slice(0, 100)}`;
  }
  const allowed = publicUrl ? url.origin === new URL(publicUrl).origin : url.host === host;
  return allowed ? undefined : `origin not allowed: ${url.origin}`;
}

/** When this credential ends (session or link token), or undefined for a link without end. */
async function expiryOf(pool: Pool, token: string): Promise<number | undefined> {
  const table = tokenKind(token) === 'session' ? 'sessions' : 'access_tokens';
  const { rows } = await pool.query<{ expires_at: Date | null }>(
    `SELECT expires_at FROM ${table} WHERE token_hash = $1`,
    [hashToken(token)],
  );
  return rows[0]?.expires_at?.getTime() ?? undefined;
}

/**
 * socket.io's door (docs/decisions.md "Issue 18 — logins, sockets, channels and delivery"):
 * the Origin is checked, the credential resolved as for HTTP (http/auth.ts), and the socket
 * closed when that credential ends: at its expiry, on a sign-out, revoke or disable in this
 * instance (dropSockets), and at the next recheck for one made through another instance.
 */
export function guardSockets(io: SocketServer, opts: SocketGuardOptions): void {
  const { pool, log, publicUrl } = opts;
  const recheckMs = opts.recheckMs ?? 60_000;
  io.use((socket, next) => {
    const { headers } = socket.handshake;
    const auth = socket.handshake.auth as { token?: unknown };
    const problem = originProblem(headers.origin, headers.host, publicUrl);
    if (problem) {
      log.info({ origin: headers.origin }, 'socket.io connection from another origin refused');
      return next(new Error(problem));
    }
    const token = typeof auth.token === 'string' ? auth.token : presentedToken(headers);
    const admit = async (): Promise<Error | undefined> => {
      const principal = await resolvePrincipal(pool, token);
      if (!principal || !token) return new Error('unauthorized');
      socket.data.principal = principal;
      watch(socket, token, await expiryOf(pool, token));
      return undefined;
    };
    admit().then(
      (refusal) => next(refusal),
      (error: Error) => {
        log.error({ err: error.message }, 'socket.io sign-in check failed');
        next(new Error('unavailable'));
      },
    );
  });

  /** One timer per socket: at the credential's expiry or the next recheck, whichever is first. */
  function watch(socket: Socket, token: string, expiresAt: number | undefined): void {
    let timer: NodeJS.Timeout | undefined;
    const schedule = () => {
      const untilExpiry = expiresAt === undefined ? Infinity : expiresAt - Date.now();
      if (untilExpiry <= 0) return void socket.disconnect(true);
      const wait = Math.min(untilExpiry, recheckMs, MAX_TIMER_MS);
      timer = setTimeout(check, wait);
      timer.unref();
    };
    const check = () => {
      resolvePrincipal(pool, token).then(
        (principal) => {
          if (!principal) socket.disconnect(true);
          else if (socket.connected) schedule();
        },
        (error: Error) => {
          // The database is away: keep the socket (as HTTP would answer 500), try again later.
          log.warn({ err: error.message }, 'socket.io credential recheck failed');
          if (socket.connected) schedule();
        },
      );
    };
    socket.on('disconnect', () => clearTimeout(timer));
    schedule();
  }
}
