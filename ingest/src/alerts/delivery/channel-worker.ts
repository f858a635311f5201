import type { AlertChannel } from '@takt/protocol';
import { rateLimitOf, RateWindow, type Outcome } from './limits';
import { digestible, digestPayload, type Payload } from './payloads';
import type { ChannelState, DeliveryQueue } from './queue';

export interface PendingRow {
  id: string;
  ordering_key: string | null;
  title: string | null;
  mentions: string[];
  next_ms: string | null;
  attempts: number;
  rate_limited: number;
  alert_id: string | null;
  event: string;
}

/** Most notices one digest carries. */
const DIGEST_MAX = 100;

/** One channel's sender: a loop that reads its pending rows and sends what is due. */
export class ChannelWorker {
  private readonly window: RateWindow;
  private blockedUntil = 0;
  private poke = new AbortController();
  done: Promise<void> = Promise.resolve();

  constructor(
    private readonly queue: DeliveryQueue,
    readonly channel: AlertChannel,
    private readonly limit: ReturnType<typeof rateLimitOf>,
  ) {
    this.window = new RateWindow(limit);
  }

  start(): void {
    this.done = this.run().catch((error: Error) =>
      this.queue.deps.log.error(
        { channel: this.channel.id, err: error.message },
        'delivery worker stopped',
      ),
    );
  }

  wake(): void {
    this.poke.abort();
  }

  /** Wait until `at` (undefined: until woken); `wakeable`: a new notice ends the wait. */
  private async pause(at: number | undefined, wakeable: boolean): Promise<void> {
    const { clock } = this.queue.deps;
    // Woken since the rows were read (a notice queued meanwhile): read them again.
    if (wakeable && this.poke.signal.aborted) return;
    const both = new AbortController();
    const end = () => both.abort();
    this.queue.signal.addEventListener('abort', end, { once: true });
    if (wakeable) this.poke.signal.addEventListener('abort', end, { once: true });
    await clock.until(at ?? clock.now() + 24 * 3600_000, both.signal);
    both.abort();
    this.queue.signal.removeEventListener('abort', end);
    this.poke.signal.removeEventListener('abort', end);
  }

  private async run(): Promise<void> {
    await this.seedWindow();
    const { clock } = this.queue.deps;
    while (!this.queue.signal.aborted) {
      if (this.poke.signal.aborted) this.poke = new AbortController();
      const now = clock.now();
      if (this.blockedUntil > now) {
        await this.pause(this.blockedUntil, false);
        continue;
      }
      const rows = await this.pending();
      const { due, nextMs } = pickDue(rows, now);
      if (due.length === 0) {
        await this.pause(nextMs, true);
        continue;
      }
      const wait = this.window.waitMs(now);
      if (wait > 0) {
        await this.pause(now + wait, false);
        continue;
      }
      const soon = this.window.soon(now);
      // Reports are not shortened into a digest (queue.ts `digestible`).
      const digest =
        rows.length > soon && soon <= 1
          ? due.filter((r) => digestible(r.event)).slice(0, DIGEST_MAX)
          : [];
      await this.sendBatch(digest.length > 1 ? digest : [due[0]!], now);
    }
  }

  /** Sends of the last window before this start (a restart must not reset the count). */
  private async seedWindow(): Promise<void> {
    const { pool, clock } = this.queue.deps;
    const { rows } = await pool.query<{ ms: string }>(
      `SELECT (extract(epoch FROM finished_at) * 1000)::bigint AS ms FROM alert_deliveries
        WHERE channel_id = $1 AND status = 'delivered' AND finished_at > $2
          AND (digest_id IS NULL OR digest_id = id) ORDER BY finished_at`,
      [this.channel.id, new Date(clock.now() - this.limit.perMs)],
    );
    for (const r of rows) this.window.record(Number(r.ms));
    // A rate-limit wait outlives a restart (the receiver still counts); a retry's backoff
    // does not: a new start tries the notices it finds at once, as it always has.
    const { rows: state } = await pool.query<{ ms: string | null }>(
      `SELECT (extract(epoch FROM blocked_until) * 1000)::bigint AS ms FROM delivery_channels
        WHERE channel_id = $1 AND status = 'rate-limited'`,
      [this.channel.id],
    );
    this.blockedUntil = Number(state[0]?.ms ?? 0);
    await pool.query(
      `UPDATE alert_deliveries SET next_attempt_at = NULL WHERE channel_id = $1 AND status = 'pending'`,
      [this.channel.id],
    );
  }

  private async pending(): Promise<PendingRow[]> {
    const { rows } = await this.queue.deps.pool.query<PendingRow>(
      `SELECT id, ordering_key, title, mentions, (extract(epoch FROM next_attempt_at) * 1000)::bigint AS next_ms,
              attempts, rate_limited, alert_id, event
         FROM alert_deliveries WHERE channel_id = $1 AND status = 'pending' ORDER BY id LIMIT 1000`,
      [this.channel.id],
    );
    return rows;
  }

  private async sendBatch(batch: PendingRow[], now: number): Promise<void> {
    const { pool, send, opts } = this.queue.deps;
    const head = batch[0]!;
    const ids = batch.map((r) => r.id);
    let payload: Payload;
    if (batch.length === 1) {
      const { rows } = await pool.query<{ payload: Payload | null }>(
        'SELECT payload FROM alert_deliveries WHERE id = $1',
        [head.id],
      );
      const stored = rows[0]?.payload;
      if (!stored) return this.queue.fail(batch, this.channel.id, 'no payload stored');
      payload = stored;
    } else {
      const mentions = [...new Set(batch.flatMap((r) => r.mentions))];
      payload = digestPayload(
        this.channel,
        batch.map((r) => r.title ?? r.event),
        mentions,
      );
    }
    this.window.record(now);
    let outcome: Outcome;
    try {
      outcome = await send(this.channel, payload, Number(head.id));
    } catch (error) {
      outcome = { kind: 'retry', error: (error as Error).message };
    }
    const at = new Date(this.queue.deps.clock.now());
    // The channel's state first: whoever sees the row settled sees the state that settled it.
    const state = STATE_OF[outcome.kind];
    const error = outcome.kind === 'sent' ? null : outcome.error;
    await this.queue.setState(
      this.channel.id,
      state,
      error,
      outcome.kind === 'rate-limited' ? now + outcome.waitMs : undefined,
    );
    if (outcome.kind === 'sent') {
      await pool.query(
        `UPDATE alert_deliveries SET status = 'delivered', attempts = attempts + 1, last_error = NULL,
                finished_at = $2, next_attempt_at = NULL, digest_id = $3 WHERE id = ANY($1::bigint[])`,
        [ids, at, batch.length > 1 ? head.id : null],
      );
      return;
    }
    const { log } = this.queue.deps;
    log.warn(
      { channel: this.channel.id, deliveries: ids, outcome: outcome.kind, err: outcome.error },
      'delivery not accepted',
    );
    if (outcome.kind === 'rate-limited') {
      this.blockedUntil = now + outcome.waitMs;
      await pool.query(
        `UPDATE alert_deliveries SET attempts = attempts + 1, rate_limited = rate_limited + 1, last_error = $2,
                next_attempt_at = $3 WHERE id = ANY($1::bigint[])`,
        [ids, outcome.error, new Date(this.blockedUntil)],
      );
      return;
    }
    const tried = batch.map((r) => ({ ...r, attempts: r.attempts + 1 }));
    await pool.query(
      'UPDATE alert_deliveries SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])',
      [ids, outcome.error],
    );
    if (outcome.kind === 'permanent') {
      await this.queue.fail(tried, this.channel.id, outcome.error);
      return;
    }
    for (const row of tried) {
      const counted = row.attempts - row.rate_limited;
      if (counted >= opts.attempts) await this.queue.fail([row], this.channel.id, outcome.error);
      else
        await pool.query('UPDATE alert_deliveries SET next_attempt_at = $2 WHERE id = $1', [
          row.id,
          new Date(now + opts.baseDelayMs * 2 ** (counted - 1)),
        ]);
    }
  }
}

const STATE_OF: Record<Outcome['kind'], ChannelState> = {
  sent: 'ok',
  retry: 'failing',
  'rate-limited': 'rate-limited',
  permanent: 'broken',
};

/**
 * The rows that may leave now, in id order: due (no retry wait left) and with no earlier
 * row of their ordering key still waiting. `nextMs`: when the first waiting one is due.
 */
export function pickDue(
  rows: readonly PendingRow[],
  now: number,
): { due: PendingRow[]; nextMs: number | undefined } {
  const held = new Set<string>();
  const due: PendingRow[] = [];
  let nextMs: number | undefined;
  for (const row of rows) {
    const key = row.ordering_key ?? `row:${row.id}`;
    if (held.has(key)) continue;
    const next = row.next_ms === null ? 0 : Number(row.next_ms);
    if (next > now) {
      held.add(key);
      nextMs = nextMs === undefined ? next : Math.min(nextMs, next);
      continue;
    }
    due.push(row);
  }
  return { due, nextMs };
}
