import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { idSchema } from '@takt/protocol';
import { z } from 'zod';
import { BROKER_ERRORS, BrokerError } from './errors';

/**
 * Broker accounts (the users file, JSON). Only scrypt hashes are stored (passwords.ts).
 * Every account has a role, and the role decides its ACL (acl.ts):
 * - `gateway`: bound to one (site, gatewayId); publishes only in its own subtree;
 * - `ingest`: the service account; reads everything, publishes acknowledgements and commands;
 * - `admin`: everything but `$SYS` publications (for tools and debugging).
 */
const username = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\s:]+$/, 'must not contain spaces or ":"');
const passwordHash = z.string().startsWith('scrypt$', 'must be an scrypt hash (scrypt$N$r$p$…)');

export const gatewayAccountSchema = z.strictObject({
  username,
  passwordHash,
  role: z.literal('gateway'),
  site: idSchema,
  gatewayId: idSchema,
});
export const serviceAccountSchema = z.strictObject({
  username,
  passwordHash,
  role: z.enum(['ingest', 'admin']),
});
export const brokerUserSchema = z.discriminatedUnion('role', [
  gatewayAccountSchema,
  serviceAccountSchema,
]);
export const brokerUsersSchema = z.array(brokerUserSchema).superRefine((users, ctx) => {
  const seen = new Set<string>();
  const gateways = new Set<string>();
  users.forEach((user, index) => {
    if (seen.has(user.username))
      ctx.addIssue({ code: 'custom', path: [index, 'username'], message: 'duplicate username' });
    seen.add(user.username);
    if (user.role === 'gateway') {
      const key = `${user.site}/${user.gatewayId}`;
      if (gateways.has(key))
        ctx.addIssue({
          code: 'custom',
          path: [index, 'gatewayId'],
          message: `gateway ${key} already has an account`,
        });
      gateways.add(key);
    }
  });
});
export type BrokerUser = z.infer<typeof brokerUserSchema>;
export type BrokerRole = BrokerUser['role'];
/** An account as the broker holds it for a connected client: no hash. */
export type Account =
  | { username: string; role: 'gateway'; site: string; gatewayId: string }
  | { username: string; role: 'ingest' | 'admin' };

export function accountOf(user: BrokerUser): Account {
  return user.role === 'gateway'
    ? { username: user.username, role: 'gateway', site: user.site, gatewayId: user.gatewayId }
    : { username: user.username, role: user.role };
}

export function parseUsers(file: string, json: unknown): BrokerUser[] {
  const parsed = brokerUsersSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BrokerError(
      'BROKER_ERR_USERS_FILE',
      BROKER_ERRORS.BROKER_ERR_USERS_FILE(file, `[${issue.path.join('.')}]: ${issue.message}`),
    );
  }
  return parsed.data;
}

export function loadUsersFile(file: string): BrokerUser[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BrokerError(
      'BROKER_ERR_USERS_FILE',
      BROKER_ERRORS.BROKER_ERR_USERS_FILE(file, (error as Error).message),
    );
  }
  return parseUsers(file, json);
}

/** Writes the users file atomically (temp + rename), readable by its owner only. */
export function saveUsersFile(file: string, users: readonly BrokerUser[]): void {
  parseUsers(file, users);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
