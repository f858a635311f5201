import type { DecodedMessage } from '@takt/protocol';
import type { PoolClient } from 'pg';
import {
  deriveCounts,
  placeLateTotals,
  type CounterTotals,
  type CountSample,
} from '../domain/counters';
import { latestState } from '../domain/states';
import { copyText } from './copy';
import { DAY_MS, foldMetrics } from './fold-metrics';
import { writeRollups } from './write-rollups';
import { numberArray, textArray, timeArray } from './pg-arrays';

export type Msg<K extends DecodedMessage['kind']> = Extract<DecodedMessage, { kind: K }>;

export const toDate = (ms: number) => new Date(ms);

export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/**
 * How the live values (machine_values, machines) follow the newest plausible time (issue 6):
 * a stored time after `implausibleAfter` (receive time + horizon; written before the horizon
 * existed) is replaced by any new one (domain/time-horizon.ts `supersedes`). `partitions`:
 * the window day partitions may be made in (domain/time-horizon.ts `partitionWindow`).
 */
export interface LiveBound {
  implausibleAfter: Date;
  partitions?: { fromMs: number; toMs: number } | undefined;
  /** Rollups left to the flusher (pipeline/write-rollups.ts `writeRollups`). */
  deferRollups?: boolean | undefined;
}

/**
 * Plain PostgreSQL: the day partitions this batch needs (usually made ahead of time, so this
 * is one catalog look-up); a replay of old data makes its own, but never one outside the
 * window (a row there waits in samples_default). No-op on TimescaleDB.
 */
async function ensureSamplePartitions(client: PoolClient, days: ReadonlySet<number>) {
  if (days.size === 0) return;
  await client.query("SELECT takt_ensure_partitions('samples', 'day', $1::timestamptz[])", [
    [...days].map((d) => new Date(d * DAY_MS)),
  ]);
}

/**
 * Time series rows by COPY, in the batch's transaction (docs/decisions.md "Measured on these
 * machines": COPY ~170k rows/s on one connection, unnest ~110k), their minute rollups, and
 * the latest value per (machine, tag) for the tiles.
 */
export async function writeMetrics(
  client: PoolClient,
  messages: Msg<'metrics'>[],
  live: LiveBound,
): Promise<void> {
  const fold = foldMetrics(messages, live.partitions);
  if (fold.rows === 0) return;
  await ensureSamplePartitions(client, fold.days);
  await copyText(
    client,
    'COPY samples (time, machine_id, tag, value, value_text, quality) FROM STDIN',
    fold.copy,
  );
  await writeRollups(
    client,
    fold.series.flatMap((s) => s.minutes),
    live.deferRollups,
  );
  // One row per series (ON CONFLICT may touch a row once per statement): its newest reading.
  const latest = fold.series;
  await client.query(
    `INSERT INTO machine_values (machine_id, tag, time, value, value_text, value_kind, quality, unit)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[], $5::text[], $6::text[], $7::int2[], $8::text[])
     ON CONFLICT (machine_id, tag) DO UPDATE SET
       time = EXCLUDED.time, value = EXCLUDED.value, value_text = EXCLUDED.value_text,
       value_kind = EXCLUDED.value_kind, quality = EXCLUDED.quality, unit = EXCLUDED.unit
     WHERE machine_values.time <= EXCLUDED.time OR machine_values.time > $9`,
    [
      textArray(latest.map((r) => r.machine)),
      textArray(latest.map((r) => r.tag)),
      timeArray(latest.map((r) => r.latestMs)),
      numberArray(latest.map((r) => r.num)),
      textArray(latest.map((r) => r.text)),
      textArray(latest.map((r) => r.kind)),
      numberArray(latest.map((r) => r.quality)),
      textArray(latest.map((r) => r.unit)),
      live.implausibleAfter,
    ],
  );
}

export async function writeStates(
  client: PoolClient,
  messages: Msg<'state'>[],
  implausibleAfter: Date,
): Promise<void> {
  if (messages.length === 0) return;
  await client.query(
    `INSERT INTO machine_states (time, machine_id, state, code, reason, gateway_id, seq)
     SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::int4[], $5::text[], $6::text[], $7::int8[])`,
    [
      messages.map((m) => toDate(m.payload.ts)),
      messages.map((m) => m.machineId),
      messages.map((m) => m.payload.state),
      messages.map((m) => m.payload.code ?? null),
      messages.map((m) => m.payload.reason ?? null),
      messages.map((m) => m.gatewayId),
      messages.map((m) => m.payload.seq),
    ],
  );
  const latest = [...groupBy(messages, (m) => m.machineId)].map(([id, list]) => ({
    id,
    ...latestState(list.map((m) => ({ ...m.payload })))!,
  }));
  await client.query(
    `UPDATE machines m SET
       state = u.state, state_code = u.code, state_reason = u.reason, state_at = u.at,
       state_since = CASE WHEN u.changed OR m.state IS DISTINCT FROM u.state
                               OR m.state_since > $8 THEN u.run_start
                          ELSE coalesce(m.state_since, u.run_start) END
       FROM unnest($1::text[], $2::text[], $3::int4[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::bool[])
            AS u(id, state, code, reason, at, run_start, changed)
      WHERE m.id = u.id AND (m.state_at IS NULL OR m.state_at <= u.at OR m.state_at > $8)`,
    [
      latest.map((s) => s.id),
      latest.map((s) => s.state),
      latest.map((s) => s.code ?? null),
      latest.map((s) => s.reason ?? null),
      latest.map((s) => toDate(s.ts)),
      latest.map((s) => toDate(s.runStart)),
      latest.map((s) => s.changedInBatch),
      implausibleAfter,
    ],
  );
}

/** Absolute totals -> deltas against the stored totals (row-locked), then both are stored. */
/** Pieces made on a machine, as derived from its counters (what work orders get). */
export interface CountDeltaRow {
  machine: string;
  ts: number;
  good: number;
  reject: number;
  /**
   * The machine's first totals ever: from now on it counts its pieces, which changes what
   * its hand reports did (a REJ moves pieces from good), so the consumer folds them again.
   */
  first?: true;
}

export async function writeCounts(
  client: PoolClient,
  messages: Msg<'count'>[],
  implausibleAfter: Date,
): Promise<{ late: number; deltas: CountDeltaRow[] }> {
  if (messages.length === 0) return { late: 0, deltas: [] };
  const byMachine = groupBy(messages, (m) => m.machineId);
  const prevRows = await client.query<{
    id: string;
    good_total: string | null;
    reject_total: string | null;
    counts_at: Date | null;
  }>(
    // A fixed lock order, so that two writers can never deadlock on these rows.
    'SELECT id, good_total, reject_total, counts_at FROM machines WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
    [[...byMachine.keys()]],
  );
  const prev = new Map<string, CounterTotals>();
  for (const r of prevRows.rows) {
    // Totals stamped beyond the horizon (stored before it existed) are no baseline: the next
    // plausible totals set a new one, as for a machine's first totals.
    if (r.good_total !== null && r.counts_at && r.counts_at <= implausibleAfter) {
      prev.set(r.id, {
        good: Number(r.good_total),
        reject: Number(r.reject_total ?? 0),
        at: r.counts_at.getTime(),
      });
    }
  }
  const rows: {
    machine: string;
    ts: number;
    goodTotal: number;
    rejectTotal: number;
    good: number;
    reject: number;
    reset: boolean;
  }[] = [];
  const lasts: { machine: string; last: CounterTotals }[] = [];
  const late: { machine: string; sample: CountSample }[] = [];
  for (const [machine, list] of byMachine) {
    const derived = deriveCounts(
      prev.get(machine),
      list.map((m) => m.payload),
    );
    late.push(...derived.lateSamples.map((sample) => ({ machine, sample })));
    rows.push(...derived.rows.map((r) => ({ machine, ...r })));
    if (derived.last) lasts.push({ machine, last: derived.last });
  }
  if (rows.length > 0) {
    await client.query(
      `INSERT INTO counts (time, machine_id, good_total, reject_total, good, reject, counter_reset)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::int8[], $4::int8[], $5::int8[], $6::int8[], $7::bool[])`,
      [
        rows.map((r) => toDate(r.ts)),
        rows.map((r) => r.machine),
        rows.map((r) => r.goodTotal),
        rows.map((r) => r.rejectTotal),
        rows.map((r) => r.good),
        rows.map((r) => r.reject),
        rows.map((r) => r.reset),
      ],
    );
  }
  if (lasts.length > 0) {
    await client.query(
      `UPDATE machines m SET good_total = u.good, reject_total = u.reject, counts_at = u.at
         FROM unnest($1::text[], $2::int8[], $3::int8[], $4::timestamptz[]) AS u(id, good, reject, at)
        WHERE m.id = u.id`,
      [
        lasts.map((l) => l.machine),
        lasts.map((l) => l.last.good),
        lasts.map((l) => l.last.reject),
        lasts.map((l) => toDate(l.last.at)),
      ],
    );
  }
  const placed = await placeLateCounts(client, late);
  return {
    late: late.length,
    // Every applied totals message, pieces or not: no pieces is news too (count activity).
    deltas: [
      ...rows.map((r, i) => ({
        machine: r.machine,
        ts: r.ts,
        good: r.good,
        reject: r.reject,
        ...(!prev.has(r.machine) && rows.findIndex((x) => x.machine === r.machine) === i
          ? { first: true as const }
          : {}),
      })),
      ...placed,
    ],
  };
}

/** The stored totals of a machine just before (`<`) or just after (`>`) a time. */
async function storedTotals(
  client: PoolClient,
  machine: string,
  ts: number,
  side: '<' | '>',
): Promise<CounterTotals | undefined> {
  const { rows } = await client.query<{ time: Date; good_total: string; reject_total: string }>(
    `SELECT time, good_total, reject_total FROM counts WHERE machine_id = $1 AND time ${side} $2
      ORDER BY time ${side === '<' ? 'DESC' : 'ASC'} LIMIT 1`,
    [machine, toDate(ts)],
  );
  const r = rows[0];
  return r && { good: Number(r.good_total), reject: Number(r.reject_total), at: r.time.getTime() };
}

/**
 * Totals older than a machine's last applied ones go between the stored totals around them
 * (domain placeLateTotals), one at a time in edge-time order, so totals in any arrival order
 * give the deltas of edge-time order; totals at a time already stored are skipped. Returns
 * the rows written or derived again (their work-order attribution is redone from the
 * earliest; docs/production-model.md, "Counts that come late or twice").
 */
async function placeLateCounts(
  client: PoolClient,
  late: readonly { machine: string; sample: CountSample }[],
) {
  const changed: { machine: string; ts: number; good: number; reject: number }[] = [];
  for (const { machine, sample } of [...late].sort((a, b) => a.sample.ts - b.sample.ts)) {
    const same = await client.query('SELECT 1 FROM counts WHERE machine_id = $1 AND time = $2', [
      machine,
      toDate(sample.ts),
    ]);
    if (same.rows.length > 0) continue;
    const before = await storedTotals(client, machine, sample.ts, '<');
    const after = await storedTotals(client, machine, sample.ts, '>');
    const placed = placeLateTotals(before, sample, after);
    const { row } = placed;
    await client.query(
      `INSERT INTO counts (time, machine_id, good_total, reject_total, good, reject, counter_reset)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [toDate(row.ts), machine, row.goodTotal, row.rejectTotal, row.good, row.reject, row.reset],
    );
    changed.push({ machine, ts: row.ts, good: row.good, reject: row.reject });
    if (after && placed.after) {
      await client.query(
        'UPDATE counts SET good = $3, reject = $4, counter_reset = $5 WHERE machine_id = $1 AND time = $2',
        [machine, toDate(after.at), placed.after.good, placed.after.reject, placed.after.reset],
      );
      changed.push({ machine, ts: after.at, ...placed.after });
    }
  }
  return changed;
}

export async function writeScans(client: PoolClient, messages: Msg<'scan'>[]): Promise<void> {
  if (messages.length === 0) return;
  const p = messages.map((m) => m.payload);
  await client.query(
    `INSERT INTO scans (time, station_id, gateway_id, code, work_order, operation, action, reason, operator, seq, quantity)
     SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int8[], $11::int4[])`,
    [
      p.map((s) => toDate(s.ts)),
      messages.map((m) => m.machineId),
      messages.map((m) => m.gatewayId),
      p.map((s) => s.code),
      p.map((s) => s.workOrder ?? null),
      p.map((s) => s.operation ?? null),
      p.map((s) => s.action ?? null),
      p.map((s) => s.reason ?? null),
      p.map((s) => s.operator ?? null),
      p.map((s) => s.seq),
      p.map((s) => (s.quantity === undefined ? null : Number(s.quantity))),
    ],
  );
}
