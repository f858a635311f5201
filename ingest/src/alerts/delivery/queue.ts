import type { AlertChannel } from '@takt/protocol';
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../../db/transaction';
import type { Logger } from 'pino';
import { ChannelWorker, type PendingRow } from './channel-worker';
import { rateLimitOf, type Outcome } from './limits';
import type { Payload } from './payloads';

/** What the queue needs of time: tests give it a clock they move (no sleeps). */
export interface DeliveryClock {
  now(): number;
  /**
   * Resolves once the clock reads `at` or later, or at once when `signal` aborts. A deadline,
   * not a duration: a wait decided from a reading of the clock ends when that reading said,
   * however long the steps between the reading and the wait took.
   */
  until(at: number, signal: AbortSignal): Promise<void>;
}

export function realClock(now: () => number): DeliveryClock {
  return {
    now,
    until: (at, signal) =>
      new Promise((resolve) => {
        if (signal.aborted) return resolve();
        const timer = setTimeout(done, Math.max(0, at - now()));
        function done() {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
        signal.addEventListener('abort', done, { once: true });
      }),
  };
}

/** Sends one payload to a channel and says what the answer means. */
export type Send = (
  channel: AlertChannel,
  payload: Payload,
  deliveryId: number,
) => Promise<Outcome>;

/** What the queue keeps of a notice beside its payload. */
export interface NoticeMeta {
  /** One line naming the notice, for a digest. */
  title: string;
  /** The alert it tells of: a notice that never gets through marks it `delivery_failed`. */
  alertId?: number;
  /** opened | escalated | cleared for alerts; e.g. `shift-report` for others. */
  event: string;
  /** Mobiles to @mention; a digest mentions everyone its notices do. */
  mentions?: readonly string[];
}

export type ChannelState = 'ok' | 'rate-limited' | 'failing' | 'broken';

export interface QueueOptions {
  /** Attempts per notice for errors that may pass (5xx, unreachable), the first included. */
  attempts: number;
  /** Wait before retry n: baseDelayMs × 2^(n-1). */
  baseDelayMs: number;
}

/**
 * A durable queue per channel (docs/decisions.md "Issue 19 — deliveries people can rely
 * on"). Each notice is a row of `alert_deliveries` holding the payload built for its channel;
 * one worker per channel sends them in id order, under the channel's rate limit
 * (delivery/limits.ts). Notices with the same ordering key (an alert's) leave in the order
 * they were queued: one waiting for a retry holds back the later ones of its key, not other
 * keys. When more are queued than the limit lets out within a minute and one send is left in
 * the window, that send is a digest of every notice due. Rate-limit answers hold the whole
 * channel; permanent refusals are not retried and mark the channel `broken`. The rows stay
 * `pending` over a restart and are sent by the next start. One ingest instance sends.
 */
export class DeliveryQueue {
  private readonly workers = new Map<string, ChannelWorker>();
  private readonly stopped = new AbortController();

  constructor(
    private readonly pool: Pool,
    channels: readonly AlertChannel[],
    private readonly send: Send,
    private readonly log: Logger,
    private readonly clock: DeliveryClock,
    private readonly opts: QueueOptions,
  ) {
    for (const channel of channels)
      this.workers.set(channel.id, new ChannelWorker(this, channel, rateLimitOf(channel)));
  }

  /** Starts every channel's worker; what the last run left pending is sent first. */
  start(): void {
    for (const worker of this.workers.values()) worker.start();
  }

  /**
   * Queue a notice for a channel. `build` makes the payload in the channel's format and
   * language (called once, now). Resolves with the row's id once it is stored, so notices
   * queued one after another are sent in that order. Given `db` (a client inside the
   * caller's transaction), the row is written there and the caller calls `wake` after its
   * COMMIT; the channel must then be declared (checked with `has`).
   */
  async enqueue(
    channelId: string,
    orderingKey: string | undefined,
    build: (channel: AlertChannel) => Payload,
    meta: NoticeMeta,
    db?: PoolClient,
  ): Promise<number> {
    const worker = this.workers.get(channelId);
    if (db && !worker) throw new Error(`channel "${channelId}" is not declared`);
    const payload = worker ? build(worker.channel) : null;
    const { rows } = await (db ?? this.pool).query<{ id: string }>(
      `INSERT INTO alert_deliveries (alert_id, event, channel_id, status, ordering_key, title, mentions, payload, created_at)
       VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8) RETURNING id`,
      [
        meta.alertId ?? null,
        meta.event,
        channelId,
        orderingKey ?? null,
        meta.title,
        [...(meta.mentions ?? [])],
        payload === null ? null : JSON.stringify(payload),
        new Date(this.clock.now()),
      ],
    );
    const id = Number(rows[0]!.id);
    if (!worker) {
      await this.fail(
        [
          {
            id: rows[0]!.id,
            alert_id: meta.alertId === undefined ? null : String(meta.alertId),
            event: meta.event,
            attempts: 0,
          },
        ],
        channelId,
        `channel "${channelId}" is not declared`,
      );
      return id;
    }
    if (!db) worker.wake();
    return id;
  }

  /** Whether the channel is declared (has a worker). */
  has(channelId: string): boolean {
    return this.workers.has(channelId);
  }

  /** Looks for the channel's pending notices now (after rows were queued in a transaction). */
  wake(channelId: string): void {
    this.workers.get(channelId)?.wake();
  }

  /** Each channel's state, last error and queued notices, for `GET /api/alert-channels`. */
  async status(): Promise<
    Map<string, { status: ChannelState; lastError: string | null; queued: number }>
  > {
    const [states, counts] = await Promise.all([
      this.pool.query<{ channel_id: string; status: ChannelState; last_error: string | null }>(
        'SELECT channel_id, status, last_error FROM delivery_channels',
      ),
      this.pool.query<{ channel_id: string; n: string }>(
        `SELECT channel_id, count(*) AS n FROM alert_deliveries WHERE status = 'pending' GROUP BY channel_id`,
      ),
    ]);
    const out = new Map<
      string,
      { status: ChannelState; lastError: string | null; queued: number }
    >();
    for (const id of this.workers.keys()) out.set(id, { status: 'ok', lastError: null, queued: 0 });
    for (const r of states.rows) {
      const entry = out.get(r.channel_id);
      if (entry) Object.assign(entry, { status: r.status, lastError: r.last_error });
    }
    for (const r of counts.rows) {
      const entry = out.get(r.channel_id);
      if (entry) entry.queued = Number(r.n);
    }
    return out;
  }

  /** Ends the workers within `timeoutMs` (a send under way finishes or times out); rows stay pending. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopped.abort();
    const all = Promise.allSettled([...this.workers.values()].map((w) => w.done));
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    if ((await Promise.race([all, timer])) === 'timeout')
      this.log.warn('alert deliveries still under way at shutdown; they stay queued');
  }

  // The worker's access to the queue's parts.
  get signal(): AbortSignal {
    return this.stopped.signal;
  }
  get deps(): {
    pool: Pool;
    send: Send;
    log: Logger;
    clock: DeliveryClock;
    opts: QueueOptions;
  } {
    return { pool: this.pool, send: this.send, log: this.log, clock: this.clock, opts: this.opts };
  }

  async setState(
    channelId: string,
    status: ChannelState,
    error: string | null,
    blockedUntil?: number,
  ) {
    await this.pool.query(
      `INSERT INTO delivery_channels (channel_id, status, last_error, blocked_until, updated_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (channel_id) DO UPDATE SET status = $2, last_error = COALESCE($3, delivery_channels.last_error),
         blocked_until = $4, updated_at = $5`,
      [
        channelId,
        status,
        error,
        blockedUntil === undefined ? null : new Date(blockedUntil),
        new Date(this.clock.now()),
      ],
    );
  }

  /** Notices that will not get through: the row, the alert and its events say so, and the log. */
  async fail(
    rows: Pick<PendingRow, 'id' | 'alert_id' | 'event' | 'attempts'>[],
    channelId: string,
    error: string,
  ): Promise<void> {
    const at = new Date(this.clock.now());
    // One transaction: the row, the alert and its event are seen together.
    await withTransaction(this.pool, (client) => this.failRows(client, rows, channelId, error, at));
  }

  private async failRows(
    db: PoolClient,
    rows: Pick<PendingRow, 'id' | 'alert_id' | 'event' | 'attempts'>[],
    channelId: string,
    error: string,
    at: Date,
  ): Promise<void> {
    for (const row of rows) {
      this.log.error(
        { alert: row.alert_id, channel: channelId, attempts: row.attempts, err: error },
        'delivery given up',
      );
      if (row.alert_id !== null) {
        await db.query('UPDATE alerts SET delivery_failed = true WHERE id = $1', [row.alert_id]);
        await db.query(
          `INSERT INTO alert_events (alert_id, time, kind, detail) VALUES ($1, $2, 'delivery-failed', $3)`,
          [
            row.alert_id,
            at,
            JSON.stringify({ channel: channelId, event: row.event, error, attempts: row.attempts }),
          ],
        );
      }
      await db.query(
        `UPDATE alert_deliveries SET status = 'failed', last_error = $2, finished_at = $3, next_attempt_at = NULL WHERE id = $1`,
        [row.id, error, at],
      );
    }
  }
}
