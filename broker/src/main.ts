import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { envPort } from '@takt/protocol';
import { DEFAULT_LIMITS, startBroker, type BrokerLimits } from './server';
import { loadUsersFile } from './users';

/**
 * Broker as its own process. Settings (environment; docs/config-reference.md):
 * TAKT_BROKER_HOST (127.0.0.1), TAKT_BROKER_PORT (1883), TAKT_BROKER_WS_PORT (off),
 * TAKT_BROKER_TLS_PORT (off) with TAKT_BROKER_TLS_CERT / TAKT_BROKER_TLS_KEY (PEM files),
 * TAKT_BROKER_USERS_FILE (required unless TAKT_BROKER_ALLOW_ANONYMOUS=true),
 * TAKT_BROKER_MAX_PACKET_BYTES, TAKT_BROKER_CONN_PER_10S, TAKT_BROKER_CONN_CONCURRENT,
 * TAKT_BROKER_REDIS_URL (several brokers sharing state, cluster.ts).
 */
const log = pino({ name: 'broker', level: process.env.LOG_LEVEL ?? 'info' });

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name}=${raw} must be an integer of at least ${min}`);
  return value;
}

function readPem(name: string): Buffer {
  const file = process.env[name];
  if (!file) throw new Error(`TAKT_BROKER_TLS_PORT is set: set ${name} to a PEM file too`);
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(`${name}=${file}: ${(error as Error).message}`);
  }
}

function limitsFromEnv(): BrokerLimits {
  return {
    maxPacketBytes: envInt('TAKT_BROKER_MAX_PACKET_BYTES', DEFAULT_LIMITS.maxPacketBytes, 1024),
    connectTimeoutMs: DEFAULT_LIMITS.connectTimeoutMs,
    connections: {
      perWindow: envInt('TAKT_BROKER_CONN_PER_10S', DEFAULT_LIMITS.connections.perWindow, 1),
      windowMs: 10_000,
      concurrent: envInt('TAKT_BROKER_CONN_CONCURRENT', DEFAULT_LIMITS.connections.concurrent, 1),
    },
  };
}

async function main(): Promise<void> {
  const usersFile = process.env.TAKT_BROKER_USERS_FILE;
  const allowAnonymous = process.env.TAKT_BROKER_ALLOW_ANONYMOUS === 'true';
  if (!usersFile && !allowAnonymous) {
    throw new Error(
      'set TAKT_BROKER_USERS_FILE (or TAKT_BROKER_ALLOW_ANONYMOUS=true on a closed test network)',
    );
  }
  const host = process.env.TAKT_BROKER_HOST ?? '127.0.0.1';
  const tlsPort = envPort('TAKT_BROKER_TLS_PORT', undefined);
  const redisUrl = process.env.TAKT_BROKER_REDIS_URL;
  const shared = redisUrl ? (await import('./cluster')).redisState(redisUrl) : undefined;
  const broker = await startBroker({
    host,
    port: envPort('TAKT_BROKER_PORT', 1883)!,
    wsPort: envPort('TAKT_BROKER_WS_PORT', undefined),
    tls:
      tlsPort === undefined
        ? undefined
        : {
            port: tlsPort,
            cert: readPem('TAKT_BROKER_TLS_CERT'),
            key: readPem('TAKT_BROKER_TLS_KEY'),
          },
    users: usersFile ? loadUsersFile(usersFile) : [],
    allowAnonymous,
    limits: limitsFromEnv(),
    shared,
    log,
  });
  const shutdown = (signal: string) => {
    log.info({ signal }, 'stopping');
    void broker.stop().then(() => process.exit(0));
  };
  // `systemctl reload` / `docker kill -s HUP`: re-read the users file after an account change.
  process.on('SIGHUP', () => {
    if (!usersFile) return;
    try {
      broker.setUsers(loadUsersFile(usersFile));
    } catch (error) {
      log.error(
        { err: (error as Error).message },
        'users file not reloaded; the old accounts stay',
      );
    }
  });
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: Error) => {
  log.fatal(error.message);
  process.exit(1);
});
