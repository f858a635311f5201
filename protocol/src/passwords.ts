import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * The one password-hash format of Takt: `scrypt$N$r$p$<salt b64>$<hash b64>`, stored in the
 * broker's users file and in ingest's users table. scrypt is in node:crypto (no native add-on
 * to build on a Pi). The parameters travel in the string, so any cost verifies; two are used
 * (docs/decisions.md "Issue 18 — logins, sockets, channels and delivery"):
 * - PASSWORD_COST, OWASP's scrypt minimum (N=2^17, r=8, p=1: 128 MiB, ~0.3 s), for passwords
 *   people choose: ingest's users (ingest/src/auth/secrets.ts), re-hashed at the next login
 *   when older (`needsRehash`).
 * - SECRET_COST (N=2^14), the default, for generated secrets: the broker's MQTT accounts hold
 *   144 random bits (nothing to guess, so a slower hash buys nothing) and every CONNECT pays
 *   it, a whole plant's gateways at once after a broker restart.
 */
const KEY_LENGTH = 32;
export const PASSWORD_COST = { N: 2 ** 17, r: 8, p: 1 } as const;
export const SECRET_COST = { N: 2 ** 14, r: 8, p: 1 } as const;
/** A stored hash asking for more than this is refused, not computed (a hostile users file). */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  // scrypt needs 128·N·r bytes (p runs one block at a time); twice that leaves room.
  const maxmem = 256 * options.N! * options.r!;
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, { ...options, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(
  password: string,
  cost: { N: number; r: number; p: number } = SECRET_COST,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join(
    '$',
  );
}

interface Parsed {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function parseHash(encoded: string): Parsed | undefined {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const whole = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max;
  // N a power of two (scrypt's rule), all three bounded: a bad file cannot exhaust memory.
  if (!whole(N, MAX_N) || N < 2 || (N & (N - 1)) !== 0 || !whole(r, MAX_R) || !whole(p, MAX_P))
    return undefined;
  return {
    N,
    r,
    p,
    salt: Buffer.from(parts[4]!, 'base64'),
    hash: Buffer.from(parts[5]!, 'base64'),
  };
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (!parsed) return false;
  const key = await scryptAsync(password, parsed.salt, { N: parsed.N, r: parsed.r, p: parsed.p });
  return key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
}

/** True when a hash was made with less than `cost`: re-hash it after a right password. */
export function needsRehash(
  encoded: string,
  cost: { N: number; r: number; p: number } = PASSWORD_COST,
): boolean {
  const parsed = parseHash(encoded);
  if (!parsed) return false;
  return parsed.N < cost.N || parsed.r < cost.r || parsed.p < cost.p;
}
