import pg from 'pg';

/**
 * A database no machine has written to yet: no counts and no states. The history is filled
 * only then; a second `npm start` on the same data goes straight to live.
 */
export async function isNewDatabase(databaseUrl: string): Promise<boolean> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const { rows } = await pool.query<{ fresh: boolean }>(
      `SELECT NOT EXISTS (SELECT 1 FROM counts) AND NOT EXISTS (SELECT 1 FROM machine_states) AS fresh`,
    );
    return rows[0]!.fresh;
  } finally {
    await pool.end();
  }
}
