import mqtt from 'mqtt';
import {
  ackPayloadSchema,
  encodePayload,
  topics,
  type PlantModel,
  type Scenario,
} from '@takt/protocol';
import { generateHistory, type HistoryMessage } from '@takt/sim';
import { progressBar, type Progress } from './progress';

export interface FillOptions {
  url: string;
  /** A session of an admin or manager (`Authorization: Bearer`): orders and alert acks. */
  token: string;
  mqttUrl: string;
  /** A broker account of the gateway the plant binds the machines to (its own username). */
  gateway: { site: string; id: string; username: string; password: string };
  plant: PlantModel;
  scenario: Scenario;
  from: number;
  to: number;
  seed?: number;
  /** First seq of the fill: its own range, far from the edge agent's counter. */
  seqBase?: number;
  progress?: (label: string, total: number) => Progress;
  metricsEveryMs?: number;
  orderPrefix?: string;
}

export interface FillResult {
  messages: number;
  orders: number;
  alertsAcknowledged: number;
  ms: number;
  /** Time spent waiting for each consumer of ingest to catch up (the fill's bottleneck). */
  waitedMs: Record<string, number>;
}

/** Messages in flight between the publisher and ingest's acknowledgement. */
const WINDOW = 3000;
/**
 * Every this many messages the fill waits for ingest's consumers too, and acknowledges the
 * alerts then open. The work-orders consumer derives each commit again from the commit's
 * earliest time up to the newest stored row, so a writer far ahead of it makes its work grow
 * with the square of the gap (ingest/src/work-orders/apply.ts).
 */
const CHECKPOINT_EVERY = 3000;
const STALL_MS = 60_000;

function wirePayload(m: HistoryMessage, seq: number): string {
  const v = 1 as const;
  switch (m.kind) {
    case 'state':
      return encodePayload('state', {
        v,
        seq,
        ts: m.ts,
        state: m.state,
        ...(m.reason ? { reason: m.reason } : {}),
      });
    case 'count':
      return encodePayload('count', { v, seq, ts: m.ts, good: m.good, reject: m.reject });
    case 'metrics':
      return encodePayload('metrics', { v, seq, ts: m.ts, readings: m.readings });
    case 'scan':
      return encodePayload('scan', { v, seq, ts: m.ts, ...m.scan });
  }
}

async function api(
  o: FillOptions,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return fetch(`${o.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${o.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/**
 * Fills the plant's past (docs/decisions.md "Issue 19 — a week of demo history") through the
 * paths live data takes: the orders through `POST /api/work-orders`, every state, count,
 * reading and scan as a wire message over the broker under the plant's gateway id (so
 * ingest's decode, dedupe, bindings and writer take them), acknowledging alerts through the
 * API while they are open. It waits for ingest's acks of every message.
 */
export async function fillHistory(o: FillOptions): Promise<FillResult> {
  const started = Date.now();
  const history = generateHistory({
    scenario: o.scenario,
    plant: o.plant,
    from: o.from,
    to: o.to,
    seed: o.seed ?? 19,
    ...(o.metricsEveryMs ? { metricsEveryMs: o.metricsEveryMs } : {}),
    ...(o.orderPrefix ? { orderPrefix: o.orderPrefix } : {}),
  });
  for (const { input } of history.orders) {
    const response = await api(o, 'POST', '/api/work-orders', input);
    if (response.status !== 201 && response.status !== 409)
      throw new Error(
        `history order ${input.id}: HTTP ${response.status} ${await response.text()}`,
      );
  }

  const total = history.messages.length;
  const base = o.seqBase ?? 7_000_000_000_000_000;
  const acked = new Uint8Array(total);
  let ackedCount = 0;
  let wake: (() => void) | undefined;
  const client = await mqtt.connectAsync(o.mqttUrl, {
    clientId: `takt-gw-${o.gateway.id}/history`,
    username: o.gateway.username,
    password: o.gateway.password,
    clean: true,
  });
  client.on('message', (_topic, payload) => {
    let ack;
    try {
      ack = ackPayloadSchema.safeParse(JSON.parse(payload.toString()));
    } catch {
      return; // not JSON: not an ack of ours
    }
    if (!ack.success) return;
    for (const [from, to] of ack.data.ranges)
      for (let seq = Math.max(from, base); seq <= Math.min(to, base + total - 1); seq++)
        if (!acked[seq - base]) {
          acked[seq - base] = 1;
          ackedCount++;
        }
    wake?.();
  });
  const bar = (o.progress ?? progressBar)('history', total);
  let alertsAcknowledged = 0;
  const waitedMs: Record<string, number> = {};
  const waitFor = async (target: number) => {
    let seen = ackedCount;
    let since = Date.now();
    while (ackedCount < target) {
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 1000);
      });
      bar.update(ackedCount);
      if (ackedCount > seen) [seen, since] = [ackedCount, Date.now()];
      else if (Date.now() - since > STALL_MS)
        throw new Error(
          `ingest acknowledged ${ackedCount} of ${target} history messages, then nothing for ${STALL_MS / 1000} s`,
        );
    }
  };
  try {
    await client.subscribeAsync(topics.ack(o.gateway.site, o.gateway.id), { qos: 1 });
    for (let i = 0; i < total; i++) {
      const m = history.messages[i]!;
      void client
        .publishAsync(
          topics.machine(o.gateway.site, o.gateway.id, m.machine, m.kind),
          wirePayload(m, base + i),
          { qos: 1 },
        )
        .catch(() => undefined); // a lost publish shows as a missing ack: the stall check names it
      if (i + 1 - ackedCount > WINDOW) await waitFor(i + 1 - WINDOW);
      if ((i + 1) % CHECKPOINT_EVERY === 0 || i + 1 === total) {
        await waitFor(i + 1);
        await consumersIdle(o, waitedMs);
        if ((i + 1) % (CHECKPOINT_EVERY * 4) === 0) alertsAcknowledged += await acknowledgeSome(o);
      }
    }
  } finally {
    await client.endAsync();
  }
  bar.finish(`${total} messages, ${history.orders.length} orders`);
  return {
    messages: total,
    orders: history.orders.length,
    alertsAcknowledged,
    ms: Date.now() - started,
    waitedMs,
  };
}

/** Waits until ingest's post-commit consumers have no commit waiting (GET /api/ingest/metrics). */
async function consumersIdle(o: FillOptions, waited: Record<string, number>): Promise<void> {
  const deadline = Date.now() + STALL_MS;
  for (let last = Date.now(); ; last = Date.now()) {
    const response = await api(o, 'GET', '/api/ingest/metrics');
    if (!response.ok) throw new Error(`GET /api/ingest/metrics: HTTP ${response.status}`);
    const { consumers } = (await response.json()) as {
      consumers: Record<string, { pending: number }>;
    };
    const busy = Object.entries(consumers).filter(([, c]) => c.pending > 0);
    if (busy.length === 0) return;
    for (const [name] of busy) waited[name] = (waited[name] ?? 0) + Date.now() - last;
    if (Date.now() > deadline)
      throw new Error(
        `ingest's consumers still busy after ${STALL_MS / 1000} s: ${JSON.stringify(consumers)}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A responder acknowledges every other open alert (the rest stay for the boards to show). */
async function acknowledgeSome(o: FillOptions): Promise<number> {
  const response = await api(o, 'GET', '/api/alerts?status=open&limit=100');
  if (!response.ok) throw new Error(`GET /api/alerts: HTTP ${response.status}`);
  const open = (await response.json()) as {
    id: number;
    rule: string;
    acknowledgedAt?: string | null;
  }[];
  let n = 0;
  for (const alert of open
    .filter((a) => !a.acknowledgedAt && a.rule !== 'silent-machine')
    .filter((_, i) => i % 2 === 0)) {
    const ack = await api(o, 'POST', `/api/alerts/${alert.id}/ack`, {
      comment: 'checked on the floor',
    });
    if (ack.ok) n++;
  }
  return n;
}
