import type { Pool } from 'pg';
import type { Principal } from './access';
import { principalOf } from './store';

export const SESSION_COOKIE = 'takt_session';

/** One cookie's value from a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** `Authorization: Bearer <token>` first (scripts, kiosk and customer pages), then the cookie. */
export function presentedToken(headers: {
  authorization?: string | undefined;
  cookie?: string | undefined;
}): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  return bearer?.[1] ?? cookieValue(headers.cookie, SESSION_COOKIE);
}

/** Who a request or a socket.io handshake is, from its headers or an explicit token. */
export async function resolvePrincipal(
  pool: Pool,
  token: string | undefined,
): Promise<Principal | undefined> {
  if (!token || token.length > 200) return undefined;
  return principalOf(pool, token);
}

export function sessionCookie(token: string, maxAgeS: number, secure: boolean): string {
  // HttpOnly: page scripts never see it; SameSite=Strict: no other site can send it (CSRF).
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}
