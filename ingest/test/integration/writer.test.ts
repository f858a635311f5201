import type { DecodedMessage } from '@takt/protocol';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/test-db';
import { migrate } from '../../src/db/migrate';
import { DEFAULT_HORIZON } from '../../src/domain/time-horizon';
import type { IngestItem } from '../../src/pipeline/items';
import { writeBatchIsolating } from '../../src/pipeline/writer';
import { pruneDeadLetters, pruneDedupe } from '../../src/storage/retention';

let pool: pg.Pool;
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_writer') });
  await migrate(pool, pino({ level: 'silent' }));
});
afterAll(() => pool.end());

const base = { site: 's1', gatewayId: 'gw1', machineId: 'm1' };
const metrics = (seq: number, value: number): DecodedMessage => ({
  ...base,
  kind: 'metrics',
  payload: {
    v: 1,
    seq,
    ts: 1_795_000_000_000 + seq,
    readings: [{ tag: 't', value, ts: 1_795_000_000_000 + seq, quality: 'good' }],
  },
});

describe('writeBatchIsolating against PostgreSQL', () => {
  it('dead-letters a message the database refuses and stores the rest of its batch', async () => {
    // A state code beyond PostgreSQL's integer: the wire schema refuses it, so build it by hand
    // to stand for any value the schema lets through and the database does not.
    const refused: DecodedMessage = {
      ...base,
      kind: 'state',
      payload: { v: 1, seq: 2, ts: 1_795_000_000_002, state: 'down', code: 2 ** 40 },
    };
    const result = await writeBatchIsolating(pool, [
      { kind: 'message', message: metrics(1, 10) },
      { kind: 'message', message: refused },
      { kind: 'message', message: metrics(3, 30) },
    ]);
    expect(result.deadLetters).toBe(1);
    const samples = await pool.query<{ value: number }>(
      "SELECT value FROM samples WHERE machine_id = 'm1' ORDER BY time",
    );
    expect(samples.rows.map((r) => r.value)).toEqual([10, 30]);
    const dead = await pool.query<{ topic: string; reason: string }>(
      'SELECT topic, reason FROM dead_letters',
    );
    expect(dead.rows).toEqual([
      {
        topic: 'takt/v1/s1/gw1/m1/state',
        reason: expect.stringMatching(/^database refused it: .*out of range/),
      },
    ]);
  });

  it('stores a redelivered message once, even inside one batch', async () => {
    await writeBatchIsolating(pool, [
      { kind: 'message', message: metrics(10, 1) },
      { kind: 'message', message: metrics(10, 1) },
    ]);
    const again = await writeBatchIsolating(pool, [{ kind: 'message', message: metrics(10, 1) }]);
    expect(again.duplicates).toBe(1);
    const { rows } = await pool.query(
      'SELECT 1 FROM samples WHERE time = to_timestamp(1795000000010 / 1000.0)',
    );
    expect(rows).toHaveLength(1);
  });

  it('replaces live values stamped beyond the horizon before it existed (issue 6)', async () => {
    // Rows a 9999 message left before the horizon existed: the newest plausible time wins.
    await pool.query(`INSERT INTO machines (id, name, state, state_at, state_since, last_seen_at)
                      VALUES ('m-9999', 'm-9999', 'down', '9999-12-31', '9999-12-31', '9999-12-31')`);
    await pool.query(`INSERT INTO machine_values (machine_id, tag, time, value, value_kind, quality)
                      VALUES ('m-9999', 't', '9999-12-31', 999, 'number', 0)`);
    await pool.query(`INSERT INTO gateways (id, site_id, status, status_at)
                      VALUES ('gw-9999', 's1', 'online', '9999-12-31')`);
    const now = Date.now();
    const at = { site: 's1', gatewayId: 'gw-9999', machineId: 'm-9999' };
    const items: IngestItem[] = [
      {
        kind: 'message',
        receivedAtMs: now,
        message: { ...at, kind: 'state', payload: { v: 1, seq: 1, ts: now, state: 'idle' } },
      },
      {
        kind: 'message',
        receivedAtMs: now,
        message: {
          ...at,
          kind: 'metrics',
          payload: {
            v: 1,
            seq: 2,
            ts: now,
            readings: [{ tag: 't', value: 5, ts: now, quality: 'good' }],
          },
        },
      },
      {
        kind: 'message',
        receivedAtMs: now,
        message: { ...at, kind: 'status', payload: { v: 1, ts: now, status: 'offline' } },
      },
    ];
    await writeBatchIsolating(pool, items, {
      quarantine: { horizon: DEFAULT_HORIZON, rawRetentionDays: 30 },
    });
    const machine = await pool.query(
      "SELECT state, state_since, last_seen_at FROM machines WHERE id = 'm-9999'",
    );
    expect(machine.rows).toEqual([
      { state: 'idle', state_since: new Date(now), last_seen_at: new Date(now) },
    ]);
    const value = await pool.query("SELECT value FROM machine_values WHERE machine_id = 'm-9999'");
    expect(value.rows).toEqual([{ value: 5 }]);
    const gateway = await pool.query("SELECT status FROM gateways WHERE id = 'gw-9999'");
    expect(gateway.rows).toEqual([{ status: 'offline' }]);
  });

  it('keeps a NUL out of the dead-letter reason', async () => {
    await writeBatchIsolating(pool, [
      { kind: 'dead', topic: 't/x', payload: Buffer.from([0]), reason: 'bad \0 byte' },
    ]);
    const { rows } = await pool.query<{ reason: string }>(
      "SELECT reason FROM dead_letters WHERE topic = 't/x'",
    );
    expect(rows[0]!.reason).toBe('bad \\0 byte');
  });

  it('throws (so the batch is retried) when the database is not reachable', async () => {
    const down = new pg.Pool({
      connectionString: 'postgres://x:y@127.0.0.1:1/none',
      connectionTimeoutMillis: 500,
    });
    await expect(
      writeBatchIsolating(down, [{ kind: 'message', message: metrics(99, 9) }]),
    ).rejects.toThrow();
    await down.end();
  });

  it('deletes dead letters past their retention and keeps the recent ones (issue 15)', async () => {
    await pool.query(`INSERT INTO dead_letters (topic, payload, reason, received_at)
                      VALUES ('retention/old', '\\x00', 'old', now() - interval '31 days'),
                             ('retention/new', '\\x00', 'new', now() - interval '29 days')`);
    expect(await pruneDeadLetters(pool, 0)).toBe(0); // 0 keeps them forever
    expect(await pruneDeadLetters(pool, 30)).toBe(1);
    const { rows } = await pool.query(
      "SELECT topic FROM dead_letters WHERE topic LIKE 'retention/%'",
    );
    expect(rows).toEqual([{ topic: 'retention/new' }]);
  });

  it('prunes dedupe rows older than the window and keeps the recent ones', async () => {
    await pool.query(
      "INSERT INTO received_messages (gateway_id, seq, received_at) VALUES ('old-gw', 1, now() - interval '20 days')",
    );
    const kept = Number(
      (await pool.query<{ n: string }>('SELECT count(*) AS n FROM received_messages')).rows[0]!.n,
    );
    expect(await pruneDedupe(pool, 14)).toBe(1);
    const left = Number(
      (await pool.query<{ n: string }>('SELECT count(*) AS n FROM received_messages')).rows[0]!.n,
    );
    expect(left).toBe(kept - 1);
  });
  it('stores text with tabs, newlines and backslashes as sent (the samples go by COPY)', async () => {
    const text = 'a\tb\\c\nd\re \\N';
    await writeBatchIsolating(pool, [
      {
        kind: 'message',
        message: {
          ...base,
          machineId: 'm-text',
          kind: 'metrics',
          payload: {
            v: 1,
            seq: 500,
            ts: 1_795_000_000_500,
            readings: [
              { tag: 'x\ty', value: text, ts: 1_795_000_000_500, quality: 'good' },
              { tag: 'n', value: -1.5e-7, ts: 1_795_000_000_500, quality: 'uncertain' },
              { tag: 'z', value: null, ts: 1_795_000_000_500, quality: 'bad' },
            ],
          },
        },
      },
    ]);
    const { rows } = await pool.query(
      "SELECT tag, value, value_text, quality FROM samples WHERE machine_id = 'm-text' ORDER BY tag",
    );
    expect(rows).toEqual([
      { tag: 'n', value: -1.5e-7, value_text: null, quality: 1 },
      { tag: 'x\ty', value: null, value_text: text, quality: 0 },
      { tag: 'z', value: null, value_text: null, quality: 2 },
    ]);
  });
});
