import { createRequire } from 'node:module';
import type { AedesOptions } from 'aedes';
import { Redis } from 'ioredis';
import mqemitterRedis from 'mqemitter-redis';

/**
 * State shared by several aedes brokers over one Redis (docs/deployment.md "More than one broker"): mqemitter-redis
 * carries every publication to every broker (so a gateway on broker A reaches ingest on
 * broker B) and aedes-persistence-redis keeps retained messages, sessions, subscriptions
 * and QoS 1 queues where every broker finds them. Each broker still checks its own
 * clients' credentials and ACLs; the users file must be the same on all of them.
 */
export interface SharedState {
  aedes: Pick<AedesOptions, 'mq' | 'persistence'>;
  /** Called by the broker's stop(), after its clients and before aedes (which closes the emitter). */
  close(): Promise<void>;
}

// aedes-persistence-redis ships no types; its factory takes ioredis options.
type PersistenceFactory = (options: Record<string, unknown>) => {
  destroy(cb: () => void): void;
};
const persistenceRedis = createRequire(import.meta.url)(
  'aedes-persistence-redis',
) as PersistenceFactory;

/** ioredis options from `redis://[user:password@]host:port[/db]`. */
export function redisOptions(url: string): Record<string, unknown> {
  const u = new URL(url);
  if (u.protocol !== 'redis:')
    throw new Error(`the Redis URL must start with redis://, not ${u.protocol}`);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: Number(u.pathname.slice(1) || 0),
  };
}

/** How long stop() waits for the persistence to let go before dropping its connection. */
const PERSISTENCE_CLOSE_MS = 1000;

export function redisState(url: string): SharedState {
  const options = redisOptions(url);
  const mq = mqemitterRedis(options);
  // Our own connection for the persistence, so that stop() can always drop it.
  const conn = new Redis(options);
  const persistence = persistenceRedis({ ...options, conn });
  return {
    aedes: { mq, persistence },
    async close() {
      // aedes-persistence-redis 12 first unsubscribes through the emitter, and mqemitter-redis
      // 7 may never call that back: the destroy would wait forever and leave the connection
      // reconnecting to a Redis that may be gone. Bounded, then the connection is dropped.
      await Promise.race([
        new Promise<void>((resolve) => persistence.destroy(() => resolve())),
        new Promise<void>((resolve) => setTimeout(resolve, PERSISTENCE_CLOSE_MS).unref()),
      ]);
      conn.disconnect();
    },
  };
}
