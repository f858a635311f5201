import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { idSchema, sparkplugIdSchema } from '@takt/protocol';
import { z } from 'zod';
import { BROKER_ERRORS, BrokerError } from './errors';

/**
 * Broker accounts (the users file, JSON). Only scrypt hashes are stored (passwords.ts).
 * Every account has a role, and the role decides its ACL (acl.ts):
 * - `gateway`: bound to one (site, gatewayId); publishes only in its own subtree;
 * - `ingest`: the service account; reads everything, publishes acknowledgements and commands;
 * - `admin`: everything but `$SYS` publications (for tools and debugging);
 * - `sparkplug-node`: a Sparkplug B edge node that is not a Takt gateway (Ignition Edge, Neuron,
 *   …), bound to one (group, edge node); publishes only its own births, deaths and data and
 *   reads only its own commands and host states (acl.ts, docs/decisions.md "Issue 24 — Sparkplug
 *   B in"). A gateway account with `sparkplug: { group, node? }` has the same rights for its
 *   edge node (node defaults to the gateway id) besides its Takt subtree.
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
  /** The gateway also speaks as this Sparkplug edge node (edge-agent's Sparkplug mode). */
  sparkplug: z
    .strictObject({ group: sparkplugIdSchema, node: sparkplugIdSchema.optional() })
    .optional(),
});
export const sparkplugNodeAccountSchema = z.strictObject({
  username,
  passwordHash,
  role: z.literal('sparkplug-node'),
  group: sparkplugIdSchema,
  node: sparkplugIdSchema,
});
export const serviceAccountSchema = z.strictObject({
  username,
  passwordHash,
  role: z.enum(['ingest', 'admin']),
});
export const brokerUserSchema = z.discriminatedUnion('role', [
  gatewayAccountSchema,
  serviceAccountSchema,
  sparkplugNodeAccountSchema,
]);
export const brokerUsersSchema = z.array(brokerUserSchema).superRefine((users, ctx) => {
  const seen = new Set<string>();
  const gateways = new Set<string>();
  const nodes = new Set<string>();
  users.forEach((user, index) => {
    const node = sparkplugNodeOf(user);
    if (node) {
      // One account per edge node: two would publish births with clashing bdSeq and seq.
      const key = `${node.group}/${node.node}`;
      if (nodes.has(key))
        ctx.addIssue({
          code: 'custom',
          path: [index, user.role === 'gateway' ? 'sparkplug' : 'node'],
          message: `Sparkplug edge node ${key} already has an account`,
        });
      nodes.add(key);
    }
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
/** A Sparkplug edge node an account speaks for. */
export interface SparkplugNodeId {
  group: string;
  node: string;
}
/** An account as the broker holds it for a connected client: no hash. */
export type Account =
  | {
      username: string;
      role: 'gateway';
      site: string;
      gatewayId: string;
      sparkplug?: SparkplugNodeId | undefined;
    }
  | { username: string; role: 'sparkplug-node'; group: string; node: string }
  | { username: string; role: 'ingest' | 'admin' };

/** The edge node of a gateway with a Sparkplug option or of a `sparkplug-node` account. */
export function sparkplugNodeOf(user: BrokerUser | Account): SparkplugNodeId | undefined {
  if (user.role === 'sparkplug-node') return { group: user.group, node: user.node };
  if (user.role === 'gateway' && user.sparkplug)
    return { group: user.sparkplug.group, node: user.sparkplug.node ?? user.gatewayId };
  return undefined;
}

export function accountOf(user: BrokerUser): Account {
  const { username } = user;
  if (user.role === 'gateway') {
    const account: Account = {
      username,
      role: 'gateway',
      site: user.site,
      gatewayId: user.gatewayId,
    };
    const node = sparkplugNodeOf(user);
    return node ? { ...account, sparkplug: node } : account;
  }
  if (user.role === 'sparkplug-node')
    return { username, role: 'sparkplug-node', group: user.group, node: user.node };
  return { username, role: user.role };
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
