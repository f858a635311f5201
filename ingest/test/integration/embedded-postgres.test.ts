import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@takt/sim';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import {
  sharedBuffersMb,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from '../../src/db/embedded';
import { LEGACY_PASSWORD } from '../../src/db/embedded-credentials';
import { migrate } from '../../src/db/migrate';

const work = mkdtempSync(join(tmpdir(), 'takt-embedded-'));
chmodSync(work, 0o755); // as root, the server runs as `postgres`, which must reach it
const started: EmbeddedDatabase[] = [];
afterAll(async () => {
  await Promise.all(started.map((db) => db.stop()));
  rmSync(work, { recursive: true, force: true });
});

async function start(dataDir: string, port: number): Promise<EmbeddedDatabase> {
  const db = await startEmbeddedPostgres({ dataDir, port });
  started.push(db);
  return db;
}

async function stop(db: EmbeddedDatabase): Promise<void> {
  await db.stop();
  started.splice(started.indexOf(db), 1);
}

/** Connects and runs one query; the error (with its SQLSTATE) when PostgreSQL refuses. */
async function tryQuery(url: string, sql: string): Promise<{ rows?: unknown[]; error?: Error }> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    return { rows: (await client.query(sql)).rows };
  } catch (error) {
    return { error: error as Error };
  } finally {
    await client.end().catch(() => undefined);
  }
}

const as = (user: string, password: string, port: number, db: string) =>
  `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;

describe('the embedded PostgreSQL: no known password, ingest as a plain role', () => {
  it('refuses the old fixed password, keeps random ones in a 0600 file, and hands ingest a non-superuser owner', async () => {
    const port = await freePort();
    const db = await start(join(work, 'fresh'), port);
    const url = await db.createDatabase('takt');

    // Nobody gets in with the password every install used to share.
    const legacy = await tryQuery(as('postgres', LEGACY_PASSWORD, port, 'postgres'), 'SELECT 1');
    expect(legacy.error).toMatchObject({ code: '28P01' });
    expect(statSync(db.credentialsFile).mode & 0o777).toBe(0o600);
    const file = JSON.parse(readFileSync(db.credentialsFile, 'utf8')) as Record<string, string>;
    expect(url).toContain(encodeURIComponent(file.app!));
    expect(db.adminUrl).toContain(encodeURIComponent(file.superuser!));
    expect(file.app).not.toBe(file.superuser);

    const me = await tryQuery(
      url,
      'SELECT current_user AS "user", rolsuper, rolcreaterole, rolcreatedb, pg_get_userbyid(datdba) AS owner FROM pg_roles, pg_database WHERE rolname = current_user AND datname = current_database()',
    );
    expect(me.rows).toEqual([
      { user: 'takt', rolsuper: false, rolcreaterole: false, rolcreatedb: false, owner: 'takt' },
    ]);
    // What a superuser could do to the machine, refused for ingest's role.
    const copy = await tryQuery(url, "COPY (SELECT 1) TO PROGRAM 'id'");
    expect(copy.error).toMatchObject({ code: '42501' });
    expect(copy.error!.message).toMatch(/external program/);
    // ... while the superuser, with the file's password, still can (so the refusal is the role's).
    const superCopy = await tryQuery(db.adminUrl, "COPY (SELECT 1) TO PROGRAM 'cat >/dev/null'");
    expect(superCopy.error).toBeUndefined();

    // The owner runs every migration (plain PostgreSQL: no extension to create).
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      expect((await migrate(pool, pino({ level: 'silent' }))).length).toBeGreaterThan(5);
      await pool.query(
        "INSERT INTO samples (time, machine_id, tag, value, quality) VALUES (now(), 'm', 't', 1, 0)",
      );
    } finally {
      await pool.end();
    }

    // A restart keeps the same passwords (the file), and the URL still works.
    await stop(db);
    const again = await start(join(work, 'fresh'), port);
    expect(await again.createDatabase('takt')).toBe(url);
    expect((await tryQuery(url, 'SELECT count(*)::int AS n FROM samples')).rows).toEqual([
      { n: 1 },
    ]);
    await stop(again);
  });

  it('moves a data dir from before (superuser on the fixed password, tables its own) to random passwords and a takt-owned database', async () => {
    const port = await freePort();
    const dataDir = join(work, 'old');
    const db = await start(dataDir, port);
    // Make it look like an older version left it: the superuser on the fixed password, no
    // `takt` role, a database with the schema made by the superuser, clear-text logins.
    const old = as('postgres', LEGACY_PASSWORD, port, 'takt');
    const admin = new pg.Client({ connectionString: db.adminUrl });
    await admin.connect();
    await admin.query(`ALTER ROLE postgres PASSWORD '${LEGACY_PASSWORD}'`);
    await admin.query('DROP ROLE takt');
    await admin.query('CREATE DATABASE takt');
    await admin.end();
    const oldPool = new pg.Pool({ connectionString: old, max: 1 });
    await migrate(oldPool, pino({ level: 'silent' }));
    await oldPool.query(
      "INSERT INTO samples (time, machine_id, tag, value, quality) VALUES (now(), 'm', 't', 1, 0)",
    );
    await oldPool.end();
    await stop(db);
    rmSync(db.credentialsFile);
    const hba = join(db.dataDir, 'pg_hba.conf');
    writeFileSync(hba, readFileSync(hba, 'utf8').replace(/scram-sha-256\s*$/gm, 'password'));

    const migrated = await start(dataDir, port);
    const url = await migrated.createDatabase('takt');
    expect((await tryQuery(old, 'SELECT 1')).error).toMatchObject({ code: '28P01' });
    expect(statSync(migrated.credentialsFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(hba, 'utf8')).not.toMatch(/\spassword\s*$/m);

    const owners = await tryQuery(
      url,
      "SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace = 'public'::regnamespace",
    );
    expect(owners.rows).toEqual([{ owner: 'takt' }]);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      // Old rows are there; the owner writes, migrates (nothing left to apply) and alters.
      expect((await pool.query('SELECT count(*)::int AS n FROM samples')).rows).toEqual([{ n: 1 }]);
      expect(await migrate(pool, pino({ level: 'silent' }))).toEqual([]);
      await pool.query('ALTER TABLE samples ALTER COLUMN quality SET DEFAULT 0');
      await pool.query('ALTER TABLE samples ALTER COLUMN quality DROP DEFAULT');
      const role = await pool.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
      expect(role.rows).toEqual([{ rolsuper: false }]);
    } finally {
      await pool.end();
    }
  });
});

describe("the embedded PostgreSQL's shared buffers", () => {
  it('are an eighth of the memory, between 128 and 512 MB', () => {
    const GB = 2 ** 30;
    expect(sharedBuffersMb(0.5 * GB)).toBe(128); // PostgreSQL's default, never less
    expect(sharedBuffersMb(2 * GB)).toBe(256);
    expect(sharedBuffersMb(3 * GB)).toBe(384);
    expect(sharedBuffersMb(24 * GB)).toBe(512);
  });

  it('are what the server runs with', async () => {
    const port = await freePort();
    const db = await start(join(work, 'buffers'), port);
    const shown = await tryQuery(db.adminUrl, 'SHOW shared_buffers');
    expect(shown.rows).toEqual([{ shared_buffers: `${sharedBuffersMb(totalmem())}MB` }]);
    await stop(db);
  });
});
