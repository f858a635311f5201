import { pino } from 'pino';
import { envPort } from '@takt/protocol';
import { startBroker } from './server';
import { loadUsersFile } from './users';

/**
 * Broker as its own process. Settings (environment):
 * TAKT_BROKER_HOST (127.0.0.1), TAKT_BROKER_PORT (1883), TAKT_BROKER_WS_PORT (off),
 * TAKT_BROKER_USERS_FILE (JSON list of {username, passwordHash}; required unless
 * TAKT_BROKER_ALLOW_ANONYMOUS=true).
 */
const log = pino({ name: 'broker', level: process.env.LOG_LEVEL ?? 'info' });

async function main(): Promise<void> {
  const usersFile = process.env.TAKT_BROKER_USERS_FILE;
  const allowAnonymous = process.env.TAKT_BROKER_ALLOW_ANONYMOUS === 'true';
  if (!usersFile && !allowAnonymous) {
    throw new Error(
      'set TAKT_BROKER_USERS_FILE (or TAKT_BROKER_ALLOW_ANONYMOUS=true on a closed test network)',
    );
  }
  const broker = await startBroker({
    host: process.env.TAKT_BROKER_HOST ?? '127.0.0.1',
    port: envPort('TAKT_BROKER_PORT', 1883)!,
    wsPort: envPort('TAKT_BROKER_WS_PORT', undefined),
    users: usersFile ? loadUsersFile(usersFile) : [],
    allowAnonymous,
    log,
  });
  const shutdown = (signal: string) => {
    log.info({ signal }, 'stopping');
    void broker.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: Error) => {
  log.fatal(error.message);
  process.exit(1);
});
