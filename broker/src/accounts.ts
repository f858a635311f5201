import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hashPassword, idSchema, sparkplugIdSchema } from '@takt/protocol';
import { loadUsersFile, saveUsersFile, type BrokerUser } from './users';

/**
 * Changes to the users file, for the `broker:*` commands. A new password is generated
 * here, returned once to be shown to the person installing the gateway, and only its
 * hash is written.
 */
export type AccountSpec =
  | {
      role: 'gateway';
      site: string;
      gatewayId: string;
      username?: string | undefined;
      sparkplug?: { group: string; node?: string | undefined } | undefined;
    }
  | { role: 'sparkplug-node'; group: string; node: string; username?: string | undefined }
  | { role: 'ingest' | 'admin'; username: string };

function userOf(spec: AccountSpec, username: string, passwordHash: string): BrokerUser {
  if (spec.role === 'gateway') {
    const { site, gatewayId, sparkplug } = spec;
    const user: BrokerUser = { username, passwordHash, role: 'gateway', site, gatewayId };
    if (!sparkplug) return user;
    const node = sparkplug.node === undefined ? {} : { node: sparkplug.node };
    return { ...user, sparkplug: { group: sparkplug.group, ...node } };
  }
  if (spec.role === 'sparkplug-node')
    return { username, passwordHash, role: spec.role, group: spec.group, node: spec.node };
  return { username, passwordHash, role: spec.role };
}

/** The account this spec replaces: same username, or the same gateway / edge node. */
function sameAccount(spec: AccountSpec, username: string, user: BrokerUser): boolean {
  if (user.username === username) return true;
  if (spec.role === 'gateway' && user.role === 'gateway')
    return user.site === spec.site && user.gatewayId === spec.gatewayId;
  if (spec.role === 'sparkplug-node' && user.role === 'sparkplug-node')
    return user.group === spec.group && user.node === spec.node;
  return false;
}

function defaultUsername(spec: AccountSpec): string {
  if (spec.username !== undefined) return spec.username;
  return spec.role === 'gateway' ? spec.gatewayId : (spec as { node: string }).node;
}

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
  if (spec.role === 'sparkplug-node') {
    sparkplugIdSchema.parse(spec.group);
    sparkplugIdSchema.parse(spec.node);
  }
  const username = defaultUsername(spec);
  const existing = users.findIndex((u) => sameAccount(spec, username, u));
  if (existing >= 0 && !options.rotate) {
    throw new Error(
      `${file} already has an account "${users[existing]!.username}" for this; add --rotate to give it a new password`,
    );
  }
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  const user = userOf(spec, username, passwordHash);
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
