import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate';
import { ProgressRecorder } from '../../src/consumers/progress';
import { createTestDatabase } from '../helpers/test-db';

/*
 * The durable consumers' marks of one commit go out in one statement (docs/decisions.md
 * "Issue 22 — per-commit work"); a mark never moves back.
 */
let pool: pg.Pool;
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_progress') });
  await migrate(pool, pino({ level: 'silent' }));
});
afterAll(() => pool?.end());

/** The pool, counting the progress statements it is asked. */
function counting(base: pg.Pool) {
  const seen = { statements: 0 };
  const spy = new Proxy(base, {
    get(target, key, receiver) {
      if (key !== 'query') return Reflect.get(target, key, receiver) as unknown;
      return (text: string, values?: unknown[]) => {
        if (text.includes('consumer_progress')) seen.statements += 1;
        return target.query(text, values);
      };
    },
  });
  return { spy, seen };
}

const marks = async (instance: string) =>
  Object.fromEntries(
    (
      await pool.query<{ consumer: string; commit_id: string }>(
        'SELECT consumer, commit_id FROM consumer_progress WHERE instance = $1',
        [instance],
      )
    ).rows.map((r) => [r.consumer, Number(r.commit_id)]),
  );

describe('consumer progress', () => {
  it('marks asked for together are written in one statement', async () => {
    const { spy, seen } = counting(pool);
    const recorder = new ProgressRecorder(spy);
    const log = 'inst-a';
    await Promise.all([
      recorder.record('work-orders', new Map([[log, 7]])),
      recorder.record('andon', new Map([[log, 7]])),
      recorder.record('spc-gauges', new Map([[log, 7]])),
    ]);
    expect(seen.statements).toBe(1);
    expect(await marks('inst-a')).toEqual({ 'work-orders': 7, andon: 7, 'spc-gauges': 7 });
  });

  it('a mark asked for during a write goes into the next one, and never moves back', async () => {
    const { spy, seen } = counting(pool);
    const recorder = new ProgressRecorder(spy);
    const log = 'inst-b';
    const first = recorder.record('work-orders', new Map([[log, 10]]));
    // Asked while the first write is under way (it starts on the next turn of the loop).
    await new Promise<void>((resolve) => setImmediate(resolve));
    const second = Promise.all([
      recorder.record('work-orders', new Map([[log, 12]])),
      recorder.record('andon', new Map([[log, 11]])),
    ]);
    await Promise.all([first, second]);
    expect(seen.statements).toBe(2);
    expect(await marks('inst-b')).toEqual({ 'work-orders': 12, andon: 11 });
    await recorder.record('work-orders', new Map([[log, 9]]));
    expect((await marks('inst-b'))['work-orders']).toBe(12);
  });

  it("marks of several writer lanes' logs go into the same statement, each its own row", async () => {
    const { spy, seen } = counting(pool);
    const recorder = new ProgressRecorder(spy);
    await Promise.all([
      recorder.record(
        'work-orders',
        new Map([
          ['inst-d', 4],
          ['inst-d#w1', 9],
        ]),
      ),
      recorder.record('andon', new Map([['inst-d#w1', 8]])),
    ]);
    expect(seen.statements).toBe(1);
    expect(await marks('inst-d')).toEqual({ 'work-orders': 4 });
    expect(await marks('inst-d#w1')).toEqual({ 'work-orders': 9, andon: 8 });
  });

  it('a failed write fails every caller whose mark it held', async () => {
    const failing = new Proxy(pool, {
      get(target, key, receiver) {
        if (key !== 'query') return Reflect.get(target, key, receiver) as unknown;
        return () => Promise.reject(new Error('database away'));
      },
    });
    const recorder = new ProgressRecorder(failing);
    const log = 'inst-c';
    const results = await Promise.allSettled([
      recorder.record('work-orders', new Map([[log, 3]])),
      recorder.record('andon', new Map([[log, 3]])),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await marks('inst-c')).toEqual({});
  });
});
