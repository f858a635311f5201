import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres:// URL of the run's PostgreSQL (test/global-setup.ts starts it). */
    pgAdminUrl: string;
  }
}

/** A fresh, empty database in the run's PostgreSQL; returns its URL. */
export async function createTestDatabase(prefix = 'takt_test'): Promise<string> {
  const admin = inject('pgAdminUrl');
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}
