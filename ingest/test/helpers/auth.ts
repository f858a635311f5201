import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { createLinkToken, createSession, createUser, type Role } from '../../src';

/** A fresh user of that role with a session: the headers that sign a request in. */
export async function signedIn(pool: Pool, role: Role): Promise<{ authorization: string }> {
  const user = await createUser(pool, `${role}-${randomBytes(4).toString('hex')}`, role, 'x');
  const { token } = await createSession(pool, user!.id, 3_600_000);
  return { authorization: `Bearer ${token}` };
}

export async function kioskToken(pool: Pool, label = 'test board'): Promise<string> {
  return (await createLinkToken(pool, { kind: 'kiosk', label, createdBy: null })).token;
}

export async function customerToken(pool: Pool, customer: string): Promise<string> {
  return (
    await createLinkToken(pool, { kind: 'customer', label: customer, customer, createdBy: null })
  ).token;
}
