import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberArray, textArray, timeArray } from '../../src/pipeline/pg-arrays';
import { createTestDatabase } from '../helpers/test-db';

/*
 * The writer's array literals (src/pipeline/pg-arrays.ts) read by PostgreSQL: every value
 * must come back as pg's own conversion of the JS array would have sent it.
 */
let pool: pg.Pool;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_pg_arrays') });
});
afterAll(() => pool?.end());

/** The array as PostgreSQL reads it from a literal and from pg's own conversion, as text. */
async function both(literal: string, values: unknown[], type: string) {
  const { rows } = await pool.query<{ ours: string[]; pgs: string[] }>(
    `SELECT ARRAY(SELECT x::text FROM unnest($1::${type}[]) x) AS ours,
            ARRAY(SELECT x::text FROM unnest($2::${type}[]) x) AS pgs`,
    [literal, values],
  );
  return rows[0]!;
}

describe('array literals for the writer', () => {
  it('sends texts with quotes, backslashes, commas, braces, blanks, "NULL" and nulls as they are', async () => {
    const values = ['m-1', 'a"b', 'back\\slash', 'x,y', '{}', ' ', '', 'NULL', null, '温度', 'm-1'];
    const { ours, pgs } = await both(textArray(values), values, 'text');
    expect(ours).toEqual(pgs);
    expect(ours).toEqual(values);
  });

  it('sends numbers exactly: fractions, large and small, negative, NaN and the infinities', async () => {
    const values = [
      0,
      -0,
      1.5,
      -273.15,
      0.1 + 0.2,
      1e21,
      5e-324,
      Number.MAX_VALUE,
      NaN,
      Infinity,
      -Infinity,
      null,
    ];
    const { ours, pgs } = await both(numberArray(values), values, 'float8');
    expect(ours).toEqual(pgs);
    const { rows } = await pool.query<{ v: (number | null)[] }>('SELECT $1::float8[] AS v', [
      numberArray(values),
    ]);
    expect(rows[0]!.v.map((v) => (v === null ? null : Number(v)))).toEqual(
      values.map((v) => (Object.is(v, -0) ? 0 : v)),
    );
  });

  it('sends whole numbers to int8 and int2', async () => {
    const big = [0, 2, -7, 9_007_199_254_740_991, null];
    expect((await both(numberArray(big), big, 'int8')).ours).toEqual([
      '0',
      '2',
      '-7',
      '9007199254740991',
      null,
    ]);
    const small = [0, 1, 2];
    expect((await both(numberArray(small), small, 'int2')).ours).toEqual(['0', '1', '2']);
  });

  it('sends times to the millisecond, in any session time zone, the same as Dates', async () => {
    const ms = [
      Date.UTC(2026, 11, 7, 14, 0, 0, 123),
      Date.UTC(2026, 11, 7, 14, 0, 0, 123),
      0,
      Date.UTC(1999, 0, 1, 23, 59, 59, 999),
    ];
    const client = await pool.connect();
    try {
      await client.query("SET TIME ZONE 'Asia/Shanghai'");
      const { rows } = await client.query<{ ours: string[]; pgs: string[] }>(
        `SELECT ARRAY(SELECT extract(epoch FROM x)::text FROM unnest($1::timestamptz[]) x) AS ours,
                ARRAY(SELECT extract(epoch FROM x)::text FROM unnest($2::timestamptz[]) x) AS pgs`,
        [timeArray(ms), ms.map((t) => new Date(t))],
      );
      expect(rows[0]!.ours).toEqual(rows[0]!.pgs);
      expect(rows[0]!.ours.map((s) => Math.round(Number(s) * 1000))).toEqual(ms);
    } finally {
      client.release();
    }
  });

  it('makes a time no Date can hold a data error the writer turns into a dead letter', async () => {
    const error = await pool
      .query('SELECT $1::timestamptz[]', [timeArray([Date.UTC(2026, 0, 1), 9e15])])
      .then(
        () => undefined,
        (e: { code?: string }) => e,
      );
    expect(error?.code?.slice(0, 2)).toBe('22');
  });
});
