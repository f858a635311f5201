import { createHmac } from 'node:crypto';
import type { OrderStatusWebhook } from '@takt/protocol';
import type { Pool } from 'pg';
import type { AddressList } from '../auth/address-list';
import { withTransaction } from '../db/transaction';
import { postWebhook } from '../alerts/delivery/webhook-target';

export interface DeliverySettings {
  env: NodeJS.ProcessEnv;
  allow: AddressList | undefined;
  timeoutMs: number;
  /** The first retry waits this long, doubling up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  now: () => number;
}

/** One receiver's lock key: two instances never send the same receiver's rows at once. */
const lockKey = (webhook: string) => `takt-order-webhook:${webhook}`;

/**
 * The signed request of one outbox row: the body as JSON, HMAC-SHA256 over
 * `<timestamp>.<body>` with the receiver's secret, as the generic alert webhook signs
 * (ingest/src/alerts/delivery/formats.ts); `X-Takt-Delivery` is the outbox row's id, the same on
 * a retry, so a receiver can drop a repeat.
 */
export function signedRequest(
  row: { id: string; event: string; payload: unknown },
  secret: string,
  timestampMs: number,
) {
  const body = JSON.stringify({ delivery: Number(row.id), ...(row.payload as object) });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-takt-event': `order.${row.event}`,
      'x-takt-delivery': row.id,
      'x-takt-timestamp': String(timestampMs),
      'x-takt-signature': `sha256=${createHmac('sha256', secret).update(`${timestampMs}.${body}`).digest('hex')}`,
    },
  };
}

/**
 * Sends the oldest pending row of one receiver, if it is due: rows go out in id order, and a
 * row that fails holds back the later ones of that receiver (they stay in order) until its
 * retry succeeds. Returns whether a row was delivered (the caller then tries the next one).
 */
export async function deliverNext(
  pool: Pool,
  hook: OrderStatusWebhook,
  settings: DeliverySettings,
): Promise<'delivered' | 'failed' | 'idle'> {
  return withTransaction(pool, async (client) => {
    const locked = await client.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok',
      [lockKey(hook.id)],
    );
    if (!locked.rows[0]!.ok) return 'idle';
    const { rows } = await client.query<{
      id: string;
      event: string;
      payload: unknown;
      attempts: number;
      next_at: Date;
    }>(
      `SELECT id, event, payload, attempts, next_at FROM order_status_outbox
        WHERE webhook_id = $1 AND state = 'pending' ORDER BY id LIMIT 1`,
      [hook.id],
    );
    const row = rows[0];
    const now = settings.now();
    if (!row || row.next_at.getTime() > now) return 'idle';
    const url = settings.env[hook.urlEnv];
    const secret = settings.env[hook.secretEnv];
    let error: string | undefined;
    if (!url || !secret)
      error = `environment variable ${!url ? hook.urlEnv : hook.secretEnv} is not set`;
    else {
      const { body, headers } = signedRequest(row, secret, now);
      try {
        const answer = await postWebhook(
          new URL(url),
          headers,
          body,
          settings.timeoutMs,
          settings.allow,
        );
        if (answer.status < 200 || answer.status >= 300)
          error = `answered ${answer.status}${answer.location ? ` (to ${answer.location})` : ''}: ${answer.body.slice(0, 200)}`;
      } catch (e) {
        error = (e as Error).message;
      }
    }
    if (error === undefined) {
      await client.query(
        `UPDATE order_status_outbox SET state = 'delivered', attempts = attempts + 1,
                delivered_at = $2, last_error = NULL WHERE id = $1`,
        [row.id, new Date(now)],
      );
      return 'delivered';
    }
    const delay = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** row.attempts);
    await client.query(
      `UPDATE order_status_outbox SET attempts = attempts + 1, next_at = $2, last_error = $3 WHERE id = $1`,
      [row.id, new Date(now + delay), error],
    );
    return 'failed';
  });
}
