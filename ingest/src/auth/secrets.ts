import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords as `scrypt$N$r$p$<salt b64>$<hash b64>` (the broker's format; node:crypto, no
 * native add-on). N=2^14 costs ~30 ms, paid once per login.
 */
const KEY_LENGTH = 32;
const COST = { N: 16384, r: 8, p: 1 };

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, { ...options, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join(
    '$',
  );
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashB64, 'base64');
  const key = await scryptAsync(password, Buffer.from(saltB64, 'base64'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash to compare against when the user does not exist: the same time either way. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  return (dummyHash ??= hashPassword(randomBytes(16).toString('hex')));
}

/**
 * Token prefixes tell the kind at a glance (and let secret scanners find leaked ones):
 * session, kiosk, customer.
 */
export const TOKEN_PREFIX = { session: 'tks_', kiosk: 'tkk_', customer: 'tkc_' } as const;
export type TokenKind = keyof typeof TOKEN_PREFIX;

/** 256 random bits, base64url: unguessable, safe in a URL fragment, a header or a cookie. */
export function newToken(kind: TokenKind): string {
  return TOKEN_PREFIX[kind] + randomBytes(32).toString('base64url');
}

export function tokenKind(token: string): TokenKind | undefined {
  return (Object.keys(TOKEN_PREFIX) as TokenKind[]).find((k) => token.startsWith(TOKEN_PREFIX[k]));
}

/** What the database keeps of a token. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** A password for a new account, printed once (18 random bytes, base64url: 24 characters). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
