import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { idSchema } from '@takt/protocol';
import { hashPassword } from '@takt/protocol';
import { loadUsersFile, saveUsersFile, type BrokerUser } from './users';

/**
 * Changes to the users file, for the `broker:*` commands. A new password is generated
 * here, returned once to be shown to the person installing the gateway, and only its
 * hash is written.
 */
export type AccountSpec =
  | { role: 'gateway'; site: string; gatewayId: string; username?: string | undefined }
  | { role: 'ingest' | 'admin'; username: string };

export interface AddedAccount {
  username: string;
  password: string;
  replaced: boolean;
}

export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

export async function addAccount(
  file: string,
  spec: AccountSpec,
  options: { rotate?: boolean } = {},
): Promise<AddedAccount> {
  const users = existsSync(file) ? loadUsersFile(file) : [];
  if (spec.role === 'gateway') {
    idSchema.parse(spec.site);
    idSchema.parse(spec.gatewayId);
  }
  const username = spec.username ?? (spec.role === 'gateway' ? spec.gatewayId : undefined)!;
  const existing = users.findIndex(
    (u) =>
      u.username === username ||
      (spec.role === 'gateway' &&
        u.role === 'gateway' &&
        u.site === spec.site &&
        u.gatewayId === spec.gatewayId),
  );
  if (existing >= 0 && !options.rotate) {
    throw new Error(
      `${file} already has an account "${users[existing]!.username}" for this; add --rotate to give it a new password`,
    );
  }
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  const user: BrokerUser =
    spec.role === 'gateway'
      ? { username, passwordHash, role: 'gateway', site: spec.site, gatewayId: spec.gatewayId }
      : { username, passwordHash, role: spec.role };
  if (existing >= 0) users[existing] = user;
  else users.push(user);
  saveUsersFile(file, users);
  return { username, password, replaced: existing >= 0 };
}

export function removeAccount(file: string, username: string): boolean {
  const users = loadUsersFile(file);
  const kept = users.filter((u) => u.username !== username);
  if (kept.length === users.length) return false;
  saveUsersFile(file, kept);
  return true;
}
