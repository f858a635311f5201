import { createHash, randomBytes } from 'node:crypto';
import { hashPassword, needsRehash, verifyPassword } from '@takt/protocol';

/** Passwords in the broker's format (protocol/src/passwords.ts): one hash format for both. */
export { hashPassword, needsRehash, verifyPassword };

/** A hash to compare against when the user does not exist: the same time either way. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  return (dummyHash ??= hashPassword(randomBytes(16).toString('hex')));
}

/**
 * Token prefixes tell the kind at a glance (and let secret scanners find leaked ones):
 * session, kiosk, customer, station.
 */
export const TOKEN_PREFIX = {
  session: 'tks_',
  kiosk: 'tkk_',
  customer: 'tkc_',
  station: 'tkst_',
} as const;
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
