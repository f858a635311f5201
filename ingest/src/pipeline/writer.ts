import {
  toSeqRanges,
  topics,
  type DecodedMessage,
  type MachineMessageKind,
  type SeqRange,
} from '@takt/protocol';
import type { Pool, PoolClient } from 'pg';
import {
  groupBy,
  toDate,
  writeCounts,
  type CountDeltaRow,
  writeMetrics,
  writeScans,
  writeStates,
  type Msg,
} from './write-series';
import type { IngestItem } from './items';

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
}

/**
 * One batch -> PostgreSQL in one transaction, every table written with a single unnest
 * statement (never a row per round trip). Messages already seen (gateway, seq) are dropped.
 */
export async function writeBatch(pool: Pool, items: readonly IngestItem[]): Promise<WriteResult> {
  const dead = items.filter((i): i is Extract<IngestItem, { kind: 'dead' }> => i.kind === 'dead');
  const messages = items.flatMap((i) => (i.kind === 'message' ? [i.message] : []));
  const result: WriteResult = {
    machines: new Set(),
    duplicates: 0,
    deadLetters: dead.length,
    lateCounts: 0,
    scans: [],
    counts: [],
    metrics: [],
    messages: [],
  };
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (dead.length > 0) await insertDeadLetters(client, dead);
    await upsertGateways(
      client,
      messages.filter((m): m is Msg<'status'> => m.kind === 'status'),
    );
    const fresh = await dedupe(
      client,
      messages.filter((m): m is SeqMsg => m.kind !== 'status'),
    );
    result.duplicates = messages.filter((m) => m.kind !== 'status').length - fresh.length;
    const forMachines = fresh.filter((m): m is Exclude<SeqMsg, Msg<'scan'>> => m.kind !== 'scan');
    await touchMachines(client, forMachines);
    result.metrics = fresh.filter((m): m is Msg<'metrics'> => m.kind === 'metrics');
    await writeMetrics(client, result.metrics);
    await writeStates(
      client,
      fresh.filter((m): m is Msg<'state'> => m.kind === 'state'),
    );
    const counts = await writeCounts(
      client,
      fresh.filter((m): m is Msg<'count'> => m.kind === 'count'),
    );
    result.lateCounts = counts.late;
    result.counts = counts.deltas;
    result.scans = fresh.filter((m): m is Msg<'scan'> => m.kind === 'scan');
    await writeScans(client, result.scans);
    await client.query('COMMIT');
    for (const m of forMachines) result.machines.add(m.machineId);
    result.messages = [...messages.filter((m) => m.kind === 'status'), ...fresh];
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function insertDeadLetters(
  client: PoolClient,
  dead: Extract<IngestItem, { kind: 'dead' }>[],
) {
  await client.query(
    'INSERT INTO dead_letters (topic, payload, reason) SELECT * FROM unnest($1::text[], $2::bytea[], $3::text[])',
    // PostgreSQL text cannot hold U+0000, and a parse error may quote the raw payload.
    [
      dead.map((d) => d.topic.replaceAll('\0', '\\0')),
      dead.map((d) => d.payload),
      dead.map((d) => d.reason.replaceAll('\0', '\\0')),
    ],
  );
}

async function upsertGateways(client: PoolClient, statuses: Msg<'status'>[]) {
  const latest = [...groupBy(statuses, (s) => s.gatewayId).values()].map((list) =>
    list.reduce((a, b) => (b.payload.ts >= a.payload.ts ? b : a)),
  );
  if (latest.length === 0) return;
  await client.query(
    // The heartbeat comes with a birth; a last will (composed at connect) leaves it as it was.
    `INSERT INTO gateways (id, site_id, status, status_at, version, devices, last_seen_at, heartbeat_ms)
     SELECT u.id, u.site, u.status, u.at, u.version, u.devices::jsonb, now(), u.heartbeat
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::integer[])
            AS u(id, site, status, at, version, devices, heartbeat)
     ON CONFLICT (id) DO UPDATE SET
       site_id = EXCLUDED.site_id, status = EXCLUDED.status, status_at = EXCLUDED.status_at,
       version = coalesce(EXCLUDED.version, gateways.version),
       devices = coalesce(EXCLUDED.devices, gateways.devices), last_seen_at = now(),
       heartbeat_ms = CASE WHEN EXCLUDED.status = 'online' THEN EXCLUDED.heartbeat_ms ELSE gateways.heartbeat_ms END
     WHERE gateways.status_at IS NULL OR gateways.status_at <= EXCLUDED.status_at`,
    [
      latest.map((s) => s.gatewayId),
      latest.map((s) => s.site),
      latest.map((s) => s.payload.status),
      latest.map((s) => toDate(s.payload.ts)),
      latest.map((s) => s.payload.version ?? null),
      latest.map((s) => (s.payload.devices ? JSON.stringify(s.payload.devices) : null)),
      latest.map((s) => s.payload.heartbeatMs ?? null),
    ],
  );
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
const oldestDataAt = (m: Exclude<SeqMsg, Msg<'scan'>>) =>
  m.kind === 'metrics' ? Math.min(...m.payload.readings.map((r) => r.ts)) : m.payload.ts;

async function touchMachines(client: PoolClient, messages: Exclude<SeqMsg, Msg<'scan'>>[]) {
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
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])
            AS u(id, site, gw, at, first)
     ON CONFLICT (id) DO UPDATE SET
       gateway_id = EXCLUDED.gateway_id,
       site_id = coalesce(machines.site_id, EXCLUDED.site_id),
       last_seen_at = greatest(machines.last_seen_at, EXCLUDED.last_seen_at),
       first_data_at = least(machines.first_data_at, EXCLUDED.first_data_at)`,
    [
      latest.map((m) => m.machineId),
      latest.map((m) => m.site),
      latest.map((m) => m.gatewayId),
      latest.map((m) => toDate(m.payload.ts)),
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
): Promise<WriteResult> {
  try {
    return await writeBatch(pool, items);
  } catch (error) {
    if (!isDataError(error) || items.length === 0) throw error;
  }
  const total: WriteResult = {
    machines: new Set(),
    duplicates: 0,
    deadLetters: 0,
    lateCounts: 0,
    scans: [],
    counts: [],
    metrics: [],
    messages: [],
  };
  for (const item of items) {
    let result: WriteResult;
    try {
      result = await writeBatch(pool, [item]);
    } catch (error) {
      if (!isDataError(error) || item.kind === 'dead') throw error;
      const { site, gatewayId, kind } = item.message;
      const topic =
        'machineId' in item.message
          ? topics.machine(site, gatewayId, item.message.machineId, kind as MachineMessageKind)
          : topics.status(site, gatewayId);
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
