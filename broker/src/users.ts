import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BROKER_ERRORS, BrokerError } from './errors';

/**
 * Broker accounts. Only hashes are stored (see passwords.ts). The full model (per-gateway
 * ACLs, ingest and admin roles) builds on this list.
 */
export const brokerUserSchema = z.strictObject({
  username: z.string().min(1).max(128),
  passwordHash: z.string().startsWith('scrypt$'),
});
export const brokerUsersSchema = z.array(brokerUserSchema);
export type BrokerUser = z.infer<typeof brokerUserSchema>;

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
  const parsed = brokerUsersSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BrokerError(
      'BROKER_ERR_USERS_FILE',
      BROKER_ERRORS.BROKER_ERR_USERS_FILE(file, `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  return parsed.data;
}
