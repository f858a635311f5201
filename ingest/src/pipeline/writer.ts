import { toSeqRanges, type DecodedMessage, type SeqRange } from '@takt/protocol';
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../db/transaction';
import { limitsFor, partitionWindow } from '../domain/time-horizon';
import { insertDeadLetters, type DeadLetter } from './dead-letters';
import type { IngestItem } from './items';
import { quarantine, topicOf, type QuarantineSettings } from './quarantine';
import { checkBindings } from './write-bindings';
import { recordClockOffsets, upsertGateways } from './write-gateways';
import {
  groupBy,
  toDate,
  writeCounts,
  type CountDeltaRow,
  type LiveBound,
  writeMetrics,
  writeScans,
  writeStates,
  type Msg,
} from './write-series';

type SeqMsg = Exclude<DecodedMessage, { kind: 'status' }>;

export interface WriteResult {
  /** Machines whose board data changed. */
  machines: Set<string>;
  duplicates: number;
  deadLetters: number;
  lateCounts: number;
  /** Scans stored by this batch, for the work orders. */
  scans: Msg<'scan'>[];
  /** Pieces made per machine in this batch (zero too), for the work orders and count activity. */
  counts: CountDeltaRow[];
  /** Metrics stored by this batch, for states derived from signals. */
  metrics: Msg<'metrics'>[];
  /** Every message stored by this batch (duplicates left out) and every gateway status, for the alerts. */
  messages: DecodedMessage[];
  /** The batch's row in batch_commits (with `options.commitLog` and series data stored). */
  commit?: CommitMark | undefined;
}

/** A batch_commits row: what a consumer that missed this commit redoes from (migration 034). */
export interface CommitMark {
  id: number;
  /** The commit log it is in: the writer lane's (`WriteOptions.commitLog.instance`). */
  log: string;
  /** Database time of the batch's transaction, ms. */
  at: number;
}

/** How the pipeline writes a batch; tests and imports that write history directly pass none. */
export interface WriteOptions {
  /** Judge timestamps against the horizon (issue 6); without it everything is applied. */
  quarantine?: QuarantineSettings | undefined;
  /**
   * Log the commit in batch_commits inside the batch's transaction, so that consumers that
   * did not finish it catch up at the next start (docs/decisions.md "Issue 16 — consumers").
   */
  commitLog?: { instance: string } | undefined;
  /**
   * Mark the batch's minutes (rollup_marks) for the flusher to compute from the raw rows once
   * they are over, instead of adding them to the rollups now (pipeline/rollup-flusher.ts);
   * ingest's pipeline does, direct writes do not.
   */
  deferRollups?: boolean | undefined;
}

// The latest time a Date holds: "no bound" for the live-value rule without a horizon.
const NO_BOUND = new Date(8.64e15);

interface ReceivedItem {
  message: DecodedMessage;
  receivedAtMs: number;
  retained: boolean;
  /** The item said when it arrived (the subscriber's do); a direct write did not. */
  timed: boolean;
}

function received(items: readonly IngestItem[], nowMs: number): ReceivedItem[] {
  return items.flatMap((i) =>
    i.kind === 'message'
      ? [
          {
            message: i.message,
            receivedAtMs: i.receivedAtMs ?? nowMs,
            retained: i.retained ?? false,
            timed: i.receivedAtMs !== undefined,
          },
        ]
      : [],
  );
}

/**
 * One batch -> PostgreSQL in one transaction, every table written with a single unnest
 * statement (never a row per round trip). Messages already seen (gateway, seq) are dropped;
 * with `options.quarantine`, those stamped outside the horizon become dead letters (their
 * seq is recorded, so a re-send is a duplicate and the gateway gets its ack), and so do
 * messages for a machine bound to another gateway (pipeline/write-bindings.ts).
 */
export async function writeBatch(
  pool: Pool,
  items: readonly IngestItem[],
  options: WriteOptions = {},
): Promise<WriteResult> {
  const nowMs = Date.now();
  const dead: DeadLetter[] = items.flatMap((i) => (i.kind === 'dead' ? [i] : []));
  const all = received(items, nowMs);
  const byMessage = new Map(all.map((r) => [r.message, r]));
  const result = emptyResult();
  result.deadLetters = dead.length;
  const q = options.quarantine;
  const bound = q ? new Date(nowMs + q.horizon.aheadMs) : NO_BOUND;
  return withTransaction(pool, async (client) => {
    const withSeq = all.map((r) => r.message).filter((m): m is SeqMsg => m.kind !== 'status');
    const fresh = await dedupe(client, withSeq);
    result.duplicates = withSeq.length - fresh.length;
    const statuses = all.map((r) => r.message).filter((m) => m.kind === 'status');
    const { kept: plausible, quarantined } = q
      ? quarantine(
          [...statuses, ...fresh].map((m) => byMessage.get(m)!),
          q,
        )
      : { kept: [...statuses, ...fresh], quarantined: [] };
    // After the dedupe and the horizon: a refused message's seq is recorded and acked like a
    // quarantined one, and only a message that will be stored binds a machine on first sight
    // (docs/decisions.md "Issue 18 — machines bound to gateways; OPC UA trust").
    const { kept, refused } = await checkBindings(client, plausible);
    result.deadLetters += quarantined.length + refused.length;
    await insertDeadLetters(client, [...dead, ...quarantined, ...refused]);
    await upsertGateways(
      client,
      kept.filter((m): m is Msg<'status'> => m.kind === 'status'),
      bound,
    );
    await recordClockOffsets(
      client,
      all.filter((r) => r.timed),
    );
    const applied = kept.filter((m): m is SeqMsg => m.kind !== 'status');
    await writeSeries(client, applied, result, {
      implausibleAfter: bound,
      partitions: q && partitionWindow(nowMs, limitsFor('metrics', q.horizon, q.rawRetentionDays)),
      deferRollups: options.deferRollups,
    });
    if (options.commitLog && applied.length > 0)
      result.commit = await logCommit(client, options.commitLog.instance, applied);
    result.messages = kept;
    return result;
  });
}

function emptyResult(): WriteResult {
  return {
    machines: new Set(),
    duplicates: 0,
    deadLetters: 0,
    lateCounts: 0,
    scans: [],
    counts: [],
    metrics: [],
    messages: [],
  };
}

async function writeSeries(
  client: PoolClient,
  fresh: SeqMsg[],
  result: WriteResult,
  live: LiveBound,
): Promise<void> {
  const forMachines = fresh.filter((m): m is Exclude<SeqMsg, Msg<'scan'>> => m.kind !== 'scan');
  await touchMachines(client, forMachines, live.implausibleAfter);
  result.metrics = fresh.filter((m): m is Msg<'metrics'> => m.kind === 'metrics');
  await writeMetrics(client, result.metrics, live);
  await writeStates(
    client,
    fresh.filter((m): m is Msg<'state'> => m.kind === 'state'),
    live.implausibleAfter,
  );
  const counts = await writeCounts(
    client,
    fresh.filter((m): m is Msg<'count'> => m.kind === 'count'),
    live.implausibleAfter,
  );
  result.lateCounts = counts.late;
  result.counts = counts.deltas;
  result.scans = fresh.filter((m): m is Msg<'scan'> => m.kind === 'scan');
  await writeScans(client, result.scans);
  for (const m of forMachines) result.machines.add(m.machineId);
}

/** Keep only messages whose (gateway, seq) was never stored before, nor earlier in this batch. */
async function dedupe(client: PoolClient, messages: SeqMsg[]): Promise<SeqMsg[]> {
  const firsts = new Map<string, SeqMsg>();
  for (const m of messages) {
    const key = `${m.gatewayId}\u0000${m.payload.seq}`;
    if (!firsts.has(key)) firsts.set(key, m);
  }
  if (firsts.size === 0) return [];
  const unique = [...firsts.values()];
  const inserted = await client.query<{ gateway_id: string; seq: string }>(
    `INSERT INTO received_messages (gateway_id, seq)
     SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING RETURNING gateway_id, seq`,
    [unique.map((m) => m.gatewayId), unique.map((m) => m.payload.seq)],
  );
  const fresh = new Set(inserted.rows.map((r) => `${r.gateway_id}\u0000${r.seq}`));
  return unique.filter((m) => fresh.has(`${m.gatewayId}\u0000${m.payload.seq}`));
}

/** The edge time of the oldest data in a message (a metrics message's oldest reading). */
const oldestDataAt = (m: SeqMsg) =>
  m.kind === 'metrics' ? Math.min(...m.payload.readings.map((r) => r.ts)) : m.payload.ts;

/** One batch_commits row: the machines and stations the batch touched, from its oldest data on. */
async function logCommit(
  client: PoolClient,
  instance: string,
  applied: readonly SeqMsg[],
): Promise<CommitMark> {
  const machines = [...new Set(applied.map((m) => m.machineId))];
  const from = applied.reduce((t, m) => Math.min(t, oldestDataAt(m)), Infinity);
  const { rows } = await client.query<{ id: string; at: Date }>(
    `INSERT INTO batch_commits (instance, machines, from_time) VALUES ($1, $2, $3)
     RETURNING id, committed_at AS at`,
    [instance, machines, toDate(from)],
  );
  return { id: Number(rows[0]!.id), log: instance, at: rows[0]!.at.getTime() };
}

async function touchMachines(
  client: PoolClient,
  messages: Exclude<SeqMsg, Msg<'scan'>>[],
  implausibleAfter: Date,
) {
  const byMachine = [...groupBy(messages, (m) => m.machineId).values()];
  const latest = byMachine.map((list) =>
    list.reduce((a, b) => (b.payload.ts >= a.payload.ts ? b : a)),
  );
  if (latest.length === 0) return;
  // first_data_at only ever moves back (a replay of older data): time before it is not
  // monitored (docs/production-model.md, "Not monitored").
  await client.query(
    `INSERT INTO machines (id, site_id, gateway_id, name, last_seen_at, first_data_at)
     SELECT u.id, u.site, u.gw, u.id, u.at, u.first
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $6::timestamptz[])
            AS u(id, site, gw, at, first)
     ON CONFLICT (id) DO UPDATE SET
       gateway_id = EXCLUDED.gateway_id,
       site_id = coalesce(machines.site_id, EXCLUDED.site_id),
       last_seen_at = CASE WHEN machines.last_seen_at > $5 THEN EXCLUDED.last_seen_at
                      ELSE greatest(machines.last_seen_at, EXCLUDED.last_seen_at) END,
       first_data_at = least(machines.first_data_at, EXCLUDED.first_data_at)`,
    [
      latest.map((m) => m.machineId),
      latest.map((m) => m.site),
      latest.map((m) => m.gatewayId),
      latest.map((m) => toDate(m.payload.ts)),
      implausibleAfter,
      byMachine.map((list) =>
        toDate(list.reduce((t, m) => Math.min(t, oldestDataAt(m)), Infinity)),
      ),
    ],
  );
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity): the data is wrong, not the link. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/**
 * writeBatch, but one message the database refuses never blocks the others: on a data
 * error the batch is written item by item and each refused item becomes a dead letter with
 * the database's reason. Link errors (database down) are thrown, and the batch is retried.
 */
export async function writeBatchIsolating(
  pool: Pool,
  items: readonly IngestItem[],
  options: WriteOptions = {},
): Promise<WriteResult> {
  try {
    return await writeBatch(pool, items, options);
  } catch (error) {
    if (!isDataError(error) || items.length === 0) throw error;
  }
  const total = emptyResult();
  for (const item of items) {
    let result: WriteResult;
    try {
      result = await writeBatch(pool, [item], options);
    } catch (error) {
      if (!isDataError(error) || item.kind === 'dead') throw error;
      const topic = topicOf(item.message);
      const reason = `database refused it: ${(error as Error).message}`;
      result = await writeBatch(pool, [
        { kind: 'dead', topic, payload: Buffer.from(JSON.stringify(item.message.payload)), reason },
      ]);
    }
    for (const id of result.machines) total.machines.add(id);
    total.duplicates += result.duplicates;
    total.deadLetters += result.deadLetters;
    total.lateCounts += result.lateCounts;
    total.scans.push(...result.scans);
    total.counts.push(...result.counts);
    total.metrics.push(...result.metrics);
    total.messages.push(...result.messages);
    total.commit = result.commit ?? total.commit;
  }
  return total;
}

/**
 * Per gateway, the seqs a committed batch made durable: stored, already stored (duplicates)
 * or kept as dead letters. What ingest acknowledges to the gateways (issue 4).
 */
export function committedRanges(
  items: readonly IngestItem[],
): { site: string; gatewayId: string; ranges: SeqRange[] }[] {
  const byGateway = new Map<string, { site: string; gatewayId: string; seqs: number[] }>();
  for (const item of items) {
    if (item.kind !== 'message' || item.message.kind === 'status') continue;
    const { site, gatewayId, payload } = item.message;
    const key = `${site}/${gatewayId}`;
    let entry = byGateway.get(key);
    if (!entry) byGateway.set(key, (entry = { site, gatewayId, seqs: [] }));
    entry.seqs.push(payload.seq);
  }
  return [...byGateway.values()].map((g) => ({
    site: g.site,
    gatewayId: g.gatewayId,
    ranges: toSeqRanges(g.seqs),
  }));
}
