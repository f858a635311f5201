import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import type { Logger } from 'pino';
import { canPublish, canReceive, canSubscribe, clientIdAllowed } from './acl';
import { hashPassword, verifyPassword } from '@takt/protocol';
import { accountOf, type Account, type BrokerUser } from './users';

// MQTT 3.1.1 CONNACK return codes [MQTT-3.2.2-3]
const IDENTIFIER_REJECTED = 2;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

function refusal(returnCode: 2 | 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/** Denials logged per connection before the rest are counted silently (a looping client must not fill the disk). */
const LOGGED_DENIALS_PER_CLIENT = 20;

export interface AuthorizerOptions {
  users: readonly BrokerUser[];
  allowAnonymous: boolean;
  log: Logger;
}

type Handlers = Required<
  Pick<
    AedesOptions,
    'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'
  >
>;

/**
 * Authentication and ACLs for aedes. The account of each connection is decided once at
 * CONNECT (password, client id, will topic) and every later packet is checked against it
 * (acl.ts). Passwords and payloads are never logged.
 */
export interface Authorizer {
  handlers: Handlers;
  /** Replaces the accounts (SIGHUP); connected clients keep the account they logged in with. */
  setUsers(users: readonly BrokerUser[]): void;
}

export function createAuthorizer(options: AuthorizerOptions): Authorizer {
  const { log } = options;
  let users = new Map(options.users.map((u) => [u.username, u]));
  const accounts = new WeakMap<Client, Account>();
  const denials = new WeakMap<Client, number>();
  // Unknown users are checked against a throwaway hash, so that a refusal takes as long
  // for them as for a known user with a wrong password (no user enumeration by timing).
  const decoy = hashPassword('decoy-password-never-valid');

  const deny = (client: Client, action: string, topic: string, reason: string) => {
    const count = (denials.get(client) ?? 0) + 1;
    denials.set(client, count);
    const account = accounts.get(client);
    if (count <= LOGGED_DENIALS_PER_CLIENT)
      log.warn(
        { clientId: client.id, username: account?.username, action, topic, reason },
        count === LOGGED_DENIALS_PER_CLIENT
          ? 'denied (further denials of this connection are not logged)'
          : 'denied',
      );
  };

  async function authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<Account> {
    if (username === undefined && options.allowAnonymous)
      return { username: '(anonymous)', role: 'admin' };
    const user = username === undefined ? undefined : users.get(username);
    const ok = await verifyPassword(
      password?.toString('utf8') ?? '',
      user?.passwordHash ?? (await decoy),
    );
    if (!user || !ok || password === undefined) {
      const reason =
        username === undefined ? 'no credentials' : user ? 'wrong password' : 'unknown user';
      log.warn({ clientId: client.id, username, reason }, 'connection refused');
      throw refusal(BAD_USERNAME_OR_PASSWORD, reason);
    }
    const account = accountOf(user);
    const id = clientIdAllowed(account, client.id);
    if (!id.ok) {
      log.warn({ clientId: client.id, username, reason: id.reason }, 'connection refused');
      throw refusal(IDENTIFIER_REJECTED, id.reason);
    }
    // The will is published by the broker later, on the client's behalf: check its topic
    // now, so a client learns at CONNECT that its will is not allowed.
    const will = (client as unknown as { _will?: { topic: string } | null })._will;
    if (will) {
      const decision = canPublish(account, will.topic);
      if (!decision.ok) {
        log.warn(
          { clientId: client.id, username, topic: will.topic, reason: decision.reason },
          'connection refused: last will topic not allowed',
        );
        throw refusal(NOT_AUTHORIZED, `last will: ${decision.reason}`);
      }
    }
    return account;
  }

  return {
    setUsers(next) {
      users = new Map(next.map((u) => [u.username, u]));
      log.info({ accounts: users.size }, 'accounts reloaded');
    },
    handlers: {
      authenticate(client, username, password, done) {
        authenticate(client, username, password).then(
          (account) => {
            accounts.set(client, account);
            done(null, true);
          },
          (error: AuthenticateError) =>
            done(error.returnCode ? error : refusal(NOT_AUTHORIZED, error.message), false),
        );
      },
      authorizePublish(client, packet, callback) {
        if (!client) return callback(null); // the broker's own publications
        const account = accounts.get(client);
        const decision = account
          ? canPublish(account, packet.topic)
          : { ok: false as const, reason: 'not authenticated' };
        if (decision.ok) return callback(null);
        deny(client, 'publish', packet.topic, decision.reason);
        // MQTT 3.1.1 has no negative PUBACK: the connection is closed [MQTT-3.3.5-2].
        callback(new Error(`publish to ${packet.topic} denied: ${decision.reason}`));
      },
      authorizeSubscribe(client, subscription, callback) {
        const account = accounts.get(client);
        const decision = account
          ? canSubscribe(account, subscription.topic)
          : { ok: false as const, reason: 'not authenticated' };
        if (decision.ok) return callback(null, subscription);
        deny(client, 'subscribe', subscription.topic, decision.reason);
        callback(null, null); // SUBACK 0x80 for this filter; the connection stays [MQTT-3.9.3]
      },
      authorizeForward(client, packet) {
        const account = accounts.get(client);
        if (account && canReceive(account, packet.topic)) return packet;
        deny(client, 'receive', packet.topic, 'not readable by this account');
        return null;
      },
    },
  };
}
