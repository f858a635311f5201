import { createHash, randomBytes } from 'node:crypto';
import {
  hashPassword as hashAtCost,
  needsRehash as belowCost,
  PASSWORD_COST,
  verifyPassword,
} from '@takt/protocol';

/**
 * Users' passwords in the broker's format (protocol/src/passwords.ts), at PASSWORD_COST
 * (OWASP's scrypt minimum): people choose them, so each guess must be dear.
 */
export function hashPassword(
  password: string,
  cost: { N: number; r: number; p: number } = PASSWORD_COST,
): Promise<string> {
  return hashAtCost(password, cost);
}

/** A stored hash made at less than PASSWORD_COST: replaced at the next right login. */
export const needsRehash = (encoded: string): boolean => belowCost(encoded, PASSWORD_COST);
export { verifyPassword };

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
