import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * The one password-hash format of Takt: `scrypt$N$r$p$<salt b64>$<hash b64>`, stored in the
 * broker's users file and in ingest's users table. scrypt is in node:crypto (no native add-on
 * to build on a Pi). The cost is OWASP's scrypt minimum (N=2^17, r=8, p=1: 128 MiB and a few
 * hundred ms per hash, paid once per CONNECT or login); the parameters travel in the string,
 * so hashes made with the older N=2^14 still verify and are replaced at the next login
 * (`needsRehash`, docs/decisions.md "Issue 18 — logins, sockets, channels and delivery").
 */
const KEY_LENGTH = 32;
export const PASSWORD_COST = { N: 2 ** 17, r: 8, p: 1 } as const;
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
  cost: { N: number; r: number; p: number } = PASSWORD_COST,
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

/** True when a hash was made with less than today's cost: re-hash it after a right password. */
export function needsRehash(encoded: string): boolean {
  const parsed = parseHash(encoded);
  if (!parsed) return false;
  return parsed.N < PASSWORD_COST.N || parsed.r < PASSWORD_COST.r || parsed.p < PASSWORD_COST.p;
}
