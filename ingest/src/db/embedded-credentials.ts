import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import pg from 'pg';
import { z } from 'zod';

/**
 * The embedded PostgreSQL's two accounts (docs/decisions.md "Issue 18 — hardened deploys"):
 * the superuser `postgres`, used only to set the server up, and `takt`, a plain role that
 * owns the databases ingest uses. Both passwords are random per data directory and kept in
 * `<data dir>.credentials.json` beside it, mode 0600, readable only by whoever starts the
 * server (root, when the server itself runs as `postgres`).
 */
export const APP_ROLE = 'takt';
export const SUPERUSER = 'postgres';
/** What versions before issue 18 gave the superuser; a data dir still on it is rotated. */
export const LEGACY_PASSWORD = 'takt-local';

const credentialsSchema = z.object({
  superuser: z.string().min(16),
  app: z.string().min(16),
});
export type Credentials = z.infer<typeof credentialsSchema>;

export function credentialsFileOf(dataDir: string): string {
  return join(dirname(dataDir), `${basename(dataDir)}.credentials.json`);
}

/** The data dir's passwords, made (and written, 0600) the first time. */
export function loadOrCreateCredentials(file: string): { credentials: Credentials; made: boolean } {
  if (existsSync(file)) {
    chmodSync(file, 0o600); // also narrows a file someone loosened by hand
    const parsed = credentialsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`${file} is not a Takt credentials file: remove it`);
    return { credentials: parsed.data, made: false };
  }
  const credentials = {
    superuser: randomBytes(24).toString('base64url'),
    app: randomBytes(24).toString('base64url'),
  };
  const staging = `${file}.${process.pid}`;
  writeFileSync(staging, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  renameSync(staging, file);
  return { credentials, made: true };
}

export function readCredentials(file: string): Credentials {
  if (!existsSync(file))
    throw new Error(`no ${file}: start the embedded PostgreSQL once (npm start) first`);
  return credentialsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function databaseUrl(user: string, password: string, port: number, db: string): string {
  return `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;
}

const isAuthFailure = (error: unknown) => (error as { code?: string }).code === '28P01';

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

/**
 * A superuser connection with the file's password. A data dir from before issue 18 still
 * has the fixed legacy password: its superuser is then given the file's password, and the
 * server's loopback logins move from clear-text `password` to `scram-sha-256`.
 */
export async function superuserClient(options: {
  port: number;
  credentials: Credentials;
  dataDir: string;
}): Promise<{ client: pg.Client; rotated: boolean }> {
  const url = (password: string) => databaseUrl(SUPERUSER, password, options.port, 'postgres');
  try {
    return { client: await connect(url(options.credentials.superuser)), rotated: false };
  } catch (error) {
    if (!isAuthFailure(error)) throw error;
  }
  let client: pg.Client;
  try {
    client = await connect(url(LEGACY_PASSWORD));
  } catch (error) {
    if (!isAuthFailure(error)) throw error;
    throw new Error(
      `the superuser password in ${credentialsFileOf(options.dataDir)} does not open ${options.dataDir}: restore that file, or move the data dir away to start afresh`,
    );
  }
  await client.query(
    `ALTER ROLE ${SUPERUSER} PASSWORD ${client.escapeLiteral(options.credentials.superuser)}`,
  );
  const hba = join(options.dataDir, 'pg_hba.conf');
  if (existsSync(hba)) {
    const text = readFileSync(hba, 'utf8');
    const scram = text.replace(/^((?:local|host)\s.*\s)password\s*$/gm, '$1scram-sha-256');
    if (scram !== text) {
      writeFileSync(hba, scram);
      await client.query('SELECT pg_reload_conf()');
    }
  }
  return { client, rotated: true };
}

/** `takt`: may log in, owns its databases, nothing more (no superuser, no role or db creation). */
export async function ensureAppRole(client: pg.Client, password: string): Promise<void> {
  const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
  const verb = exists.rowCount === 0 ? 'CREATE' : 'ALTER';
  await client.query(
    `${verb} ROLE ${APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${client.escapeLiteral(password)}`,
  );
}

/**
 * Objects the superuser made in a database before issue 18 go to `takt`, so that
 * migrations keep working as the owner. Sequences owned by a column follow their table.
 */
const HAND_OVER = `
DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relowner <> '${APP_ROLE}'::regrole
      AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
      AND (c.relkind <> 'S' OR NOT EXISTS (SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
    ORDER BY c.relkind = 'S'
  LOOP
    EXECUTE format('ALTER %s %s OWNER TO ${APP_ROLE}',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
        WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, r.name);
  END LOOP;
  FOR r IN
    SELECT p.oid::regprocedure AS name, p.prokind FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND p.proowner <> '${APP_ROLE}'::regrole
  LOOP
    EXECUTE format('ALTER %s %s OWNER TO ${APP_ROLE}',
      CASE r.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
      r.name);
  END LOOP;
  FOR r IN
    SELECT t.oid::regtype AS name, t.typtype FROM pg_type t
    JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = 'public' AND t.typowner <> '${APP_ROLE}'::regrole
      AND t.typtype IN ('e', 'd', 'r') AND t.typelem = 0
  LOOP
    EXECUTE format('ALTER %s %s OWNER TO ${APP_ROLE}',
      CASE r.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, r.name);
  END LOOP;
END $$`;

/** The database exists and belongs to `takt`, with everything in it (a pre-issue-18 one too). */
export async function ensureAppDatabase(
  superuserUrl: (db: string) => string,
  name: string,
): Promise<void> {
  const quoted = `"${name.replace(/"/g, '')}"`;
  const admin = await connect(superuserUrl('postgres'));
  let existed = false;
  try {
    const { rows } = await admin.query<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [name],
    );
    existed = rows.length > 0;
    if (!existed) await admin.query(`CREATE DATABASE ${quoted} OWNER ${APP_ROLE}`);
    else if (rows[0]!.owner !== APP_ROLE)
      await admin.query(`ALTER DATABASE ${quoted} OWNER TO ${APP_ROLE}`);
  } finally {
    await admin.end();
  }
  // Every start, not only when the owner changed: a hand-over cut short finishes now.
  if (!existed) return;
  const db = await connect(superuserUrl(name));
  try {
    await db.query(HAND_OVER);
  } finally {
    await db.end();
  }
}
