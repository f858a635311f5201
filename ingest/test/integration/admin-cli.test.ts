import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { principalOf } from '../../src';
import { verifyPassword } from '../../src/auth/secrets';
import { createTestDatabase } from '../helpers/test-db';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');

async function admin(databaseUrl: string, ...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'ingest/src/cli/admin.ts', ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

describe('the first-run command (npm run admin:create)', () => {
  it('creates the first admin on an empty database, prints the password once, stores its hash', async () => {
    const url = await createTestDatabase('takt_cli');
    const created = await admin(url, 'user-admin', 'alice');
    expect(created.code).toBe(0);
    const password = /Password \(shown this once\): (\S+)/.exec(created.stdout)![1]!;
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const { rows } = await pool.query<{ role: string; password_hash: string }>(
        "SELECT role, password_hash FROM users WHERE name = 'alice'",
      );
      expect(rows[0]!.role).toBe('admin');
      expect(rows[0]!.password_hash).not.toContain(password);
      expect(await verifyPassword(password, rows[0]!.password_hash)).toBe(true);

      const again = await admin(url, 'user-admin', 'alice');
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('user "alice" exists already');

      const link = await admin(url, 'kiosk-link', 'Hall TV', 'http://takt.plant:8080');
      const token = /\/#kiosk=(tkk_\S+)/.exec(link.stdout)![1]!;
      expect(await principalOf(pool, token)).toMatchObject({ kind: 'kiosk', label: 'Hall TV' });
    } finally {
      await pool.end();
    }
  });
});
