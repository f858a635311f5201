/**
 * First run and break-glass administration (issue 9), straight on the database:
 *   npm run admin:create -- <name>            a new admin; prints its generated password once
 *   npm run admin -- user <name> <role>       a user of any role (admin, manager, maintenance, operator)
 *   npm run admin -- reset-password <name>    a new generated password (ends the user's sessions)
 *   npm run admin -- kiosk-link <label> [base URL]   a read-only board link for a wall TV
 * DATABASE_URL selects the database; unset, npm start's embedded one (it must be running).
 */
import pg from 'pg';
import { pino } from 'pino';
import { ROLES, type Role } from '../auth/access';
import { generatePassword } from '../auth/secrets';
import { createLinkToken, createUser, setPassword } from '../auth/store';
import { embeddedDatabaseUrl } from '../db/embedded';
import { migrate } from '../db/migrate';

/** npm start's embedded database, as `takt`, with the password from its credentials file. */
const embeddedUrl = () =>
  embeddedDatabaseUrl({
    dataDir: process.env.TAKT_PG_DATA_DIR ?? '.takt/pg',
    port: Number(process.env.TAKT_PG_PORT ?? 54329),
    database: process.env.TAKT_PG_DATABASE ?? 'takt',
  });

function usage(): never {
  console.error(
    'usage: admin user <name> <role> | reset-password <name> | kiosk-link <label> [base URL]',
  );
  process.exit(2);
}

async function run(pool: pg.Pool, [command, ...args]: string[]): Promise<void> {
  switch (command) {
    case 'user-admin': // npm run admin:create -- <name>
      return run(pool, ['user', args[0] ?? '', 'admin']);
    case 'user': {
      const [name, role] = args as [string | undefined, string | undefined];
      if (!name || !ROLES.includes(role as Role)) usage();
      const password = generatePassword();
      if (!(await createUser(pool, name, role as Role, password)))
        throw new Error(
          `user "${name}" exists already (reset-password ${name} gives a new password)`,
        );
      console.log(`${role} "${name}" created. Password (shown this once): ${password}`);
      return;
    }
    case 'reset-password': {
      const [name] = args;
      if (!name) usage();
      const password = generatePassword();
      if (!(await setPassword(pool, name, password))) throw new Error(`no user "${name}"`);
      console.log(`new password for "${name}" (shown this once): ${password}`);
      return;
    }
    case 'kiosk-link': {
      const [label, base = `http://127.0.0.1:${process.env.TAKT_HTTP_PORT ?? 8080}`] = args;
      if (!label) usage();
      const { token, record } = await createLinkToken(pool, {
        kind: 'kiosk',
        label,
        createdBy: 'cli',
      });
      console.log(
        `kiosk link ${record.id} "${label}" (read-only boards; revoke: DELETE /api/kiosk-tokens/${record.id}):`,
      );
      console.log(`  ${base.replace(/\/$/, '')}/#kiosk=${token}`);
      return;
    }
    default:
      usage();
  }
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL ?? embeddedUrl();
  const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5000 });
  try {
    await pool.query('SELECT 1').catch((error: Error) => {
      throw new Error(
        `cannot reach PostgreSQL at ${new URL(url).host}: ${error.message}. Set DATABASE_URL, or start npm start first for its embedded database.`,
      );
    });
    await migrate(pool, pino({ level: 'warn' }));
    await run(pool, process.argv.slice(2));
  } finally {
    await pool.end();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
