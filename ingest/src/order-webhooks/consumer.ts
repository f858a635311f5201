import type { OrderStatusWebhook } from '@takt/protocol';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { webhookAllowList } from '../alerts/delivery/webhook-target';
import type { Consumer } from '../consumers/types';
import { deliverNext, type DeliverySettings } from './deliver';
import { detectStatusChanges } from './detect';

export const ORDER_STATUS_CONSUMER = 'order-status';

/** A failing receiver is tried again after 2 s, 4 s, … at most every 10 minutes, never given up. */
const MAX_DELAY_MS = 10 * 60_000;

/**
 * Order status webhooks (docs/decisions.md "Issue 20 — the Import page, exports and order
 * status webhooks"). Not a durable consumer: it re-derives from stored rows instead. Status is
 * compared with what was announced (order_status_seen, migration 040) after each commit, on
 * the alert tick (changes made through the API: hold, resume, cancel), and with late risk on
 * the alert poll; announcements go through the outbox, sent in order per receiver.
 */
export function orderStatusConsumer(): Consumer {
  let pool: Pool;
  let log: Logger;
  let hooks: readonly OrderStatusWebhook[] = [];
  let settings: DeliverySettings;
  let now: () => number;
  const timers: NodeJS.Timeout[] = [];
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const detect = async (judgeRisk: boolean) => {
    const written = await detectStatusChanges(pool, hooks, now(), judgeRisk);
    if (written > 0) log.debug({ written }, 'order status changes queued for webhooks');
  };
  const deliver = async () => {
    for (const hook of hooks)
      for (let n = 0; n < 100 && !stopped; n++) {
        const outcome = await deliverNext(pool, hook, settings);
        if (outcome === 'failed')
          log.warn({ webhook: hook.id }, 'order status webhook delivery failed; retrying later');
        if (outcome !== 'delivered') break;
      }
  };
  /** One round at a time: detection, then delivery; errors are logged, the next round retries. */
  const round = (judgeRisk: boolean) => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        await detect(judgeRisk);
        await deliver();
      } catch (error) {
        log.error({ err: (error as Error).message }, 'order status webhooks: round failed');
      }
    });
    return running;
  };

  return {
    name: ORDER_STATUS_CONSUMER,
    async start(ctx) {
      ({ pool, log, now } = ctx);
      hooks = ctx.plant?.orders.statusWebhooks ?? [];
      const { env, delivery, tickMs, pollMs } = ctx.alertSettings;
      settings = {
        env,
        allow: webhookAllowList(env),
        timeoutMs: delivery.timeoutMs,
        baseDelayMs: delivery.baseDelayMs,
        maxDelayMs: MAX_DELAY_MS,
        now,
      };
      for (const hook of hooks)
        for (const name of [hook.urlEnv, hook.secretEnv])
          if (!env[name])
            log.warn(
              { webhook: hook.id, env: name },
              'order status webhook setting missing from the environment',
            );
      if (hooks.length === 0) {
        // Nobody listens: what is announced is only kept up to date (slowly, without judging
        // risk), so a webhook added later hears of changes from then on, not of old news.
        timers.push(setInterval(() => void round(false), pollMs));
        return;
      }
      await round(true);
      timers.push(setInterval(() => void round(false), tickMs));
      timers.push(setInterval(() => void round(true), pollMs));
    },
    async onCommitted() {
      if (hooks.length > 0) await round(false);
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await running;
    },
  };
}
