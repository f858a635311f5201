import type { Pool, PoolClient } from 'pg';

/**
 * `fn` inside BEGIN … COMMIT; on any throw ROLLBACK and the error goes on. Given a pool, a
 * connection is taken for it and released after; given a client (one holding a lock, as the
 * migrations do), that client is used and kept.
 */
export async function withTransaction<T>(
  db: Pool | PoolClient,
  fn: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const own = !isClient(db);
  const client = isClient(db) ? db : await db.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    if (own) client.release();
  }
}

function isClient(db: Pool | PoolClient): db is PoolClient {
  return 'release' in db && typeof db.release === 'function';
}
