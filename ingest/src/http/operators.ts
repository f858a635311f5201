import { api } from '@takt/protocol';
import type { Pool } from 'pg';
import { hashPassword, verifyPassword } from '../auth/secrets';
import { INGEST_ERRORS, IngestError } from '../errors';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

interface DbOperator {
  badge: string;
  name: string;
  pin_hash: string;
  created_at: Date;
}
const toOperator = (r: DbOperator) => ({
  badge: r.badge,
  name: r.name,
  createdAt: r.created_at.toISOString(),
});

/** The badge of another operator with this PIN (a PIN must name one operator), if any. */
async function pinTakenBy(pool: Pool, pin: string, badge: string): Promise<string | undefined> {
  const { rows } = await pool.query<DbOperator>(
    'SELECT * FROM operators WHERE badge <> $1 ORDER BY badge',
    [badge],
  );
  for (const row of rows) if (await verifyPassword(pin, row.pin_hash)) return row.badge;
  return undefined;
}

/**
 * Operators who sign in at a shared station with a PIN (POST /api/stations/:id/pin): badge,
 * name and the PIN's scrypt hash (protocol/src/passwords.ts), which is never returned.
 */
export const operatorsPlugin: IngestPlugin = (app, { pool, log }) => {
  app.get('/api/operators', routeOf(api.operators.list), async () => {
    const { rows } = await pool.query<DbOperator>('SELECT * FROM operators ORDER BY badge');
    return rows.map(toOperator);
  });

  app.post('/api/operators', routeOf(api.operators.save), async (request, reply) => {
    const { badge, name, pin } = request.body;
    const taken = await pinTakenBy(pool, pin, badge);
    if (taken !== undefined)
      throw new IngestError(
        'INGEST_ERR_CONFLICT',
        INGEST_ERRORS.INGEST_ERR_CONFLICT('another operator has this PIN: choose another'),
        409,
      );
    const { rows } = await pool.query<DbOperator>(
      `INSERT INTO operators (badge, name, pin_hash) VALUES ($1, $2, $3)
       ON CONFLICT (badge) DO UPDATE SET name = EXCLUDED.name, pin_hash = EXCLUDED.pin_hash
       RETURNING *`,
      [badge, name, await hashPassword(pin)],
    );
    log.info({ badge }, 'operator saved');
    return reply.code(201).send(toOperator(rows[0]!));
  });

  app.delete('/api/operators/:badge', routeOf(api.operators.remove), async (request) => {
    const { rows } = await pool.query<DbOperator>(
      'DELETE FROM operators WHERE badge = $1 RETURNING *',
      [request.params.badge],
    );
    if (!rows[0])
      throw new IngestError(
        'INGEST_ERR_NOT_FOUND',
        INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`operator "${request.params.badge}"`),
        404,
      );
    log.info({ badge: request.params.badge }, 'operator removed');
    return toOperator(rows[0]);
  });
};
