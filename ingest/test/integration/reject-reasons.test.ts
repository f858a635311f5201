import { plantModelSchema } from '@takt/protocol';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate';
import { applyPlantModel } from '../../src/plant';
import { rejectReasonIds } from '../../src/queries/reject-reasons';
import { createTestDatabase } from '../helpers/test-db';

/* The reject reasons a REJ scan and an NC are checked against, read from the stored plant models. */
let pool: pg.Pool;

const plant = (site: string, machine: string, reject?: { id: string; name: string }[]) =>
  plantModelSchema.parse({
    site: { id: site, name: site, timeZone: 'UTC' },
    lines: [{ id: `${site}-line`, name: 'Line', machines: [{ id: machine, name: machine }] }],
    ...(reject ? { reasons: { reject } } : {}),
  });

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_reject_reasons') });
  await migrate(pool, pino({ level: 'silent' }));
  await applyPlantModel(
    pool,
    plant('site-a', 'm-a', [
      { id: 'burr', name: 'Burr' },
      { id: 'chip', name: 'Chipped edge' },
    ]),
  );
  await applyPlantModel(pool, plant('site-b', 'm-b'));
});
afterAll(() => pool?.end());

describe('reject reason ids', () => {
  it("gives each site its plant model's reject reasons, in order, and none where it lists none", async () => {
    const reasons = await rejectReasonIds(pool);
    expect(Object.fromEntries(reasons)).toEqual({ 'site-a': ['burr', 'chip'], 'site-b': [] });
  });
});
