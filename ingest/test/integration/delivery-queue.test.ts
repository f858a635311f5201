import type { AlertChannel } from '@takt/protocol';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Deliverer } from '../../src/alerts/delivery/deliverer';
import type { AlertNotice } from '../../src/alerts/delivery/formats';
import type { Payload } from '../../src/alerts/delivery/payloads';
import { migrate } from '../../src/db/migrate';
import {
  LOOPBACK_WEBHOOKS,
  SERVICE_ANSWERS,
  startWebhookReceiver,
  type ReceiverAnswer,
} from '../helpers/receivers';
import { createTestDatabase } from '../helpers/test-db';
import { testClock } from '../helpers/test-clock';
import { waitFor } from '../helpers/wait';

const log = pino({ level: 'silent' });
let pool: pg.Pool;
const cleanup: (() => Promise<void>)[] = [];

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_delivery_queue') });
  await migrate(pool, log, { engine: 'postgres' });
});
afterEach(async () => {
  for (const stop of cleanup.splice(0).reverse()) await stop();
});
afterAll(async () => {
  await pool.end();
});

let n = 0;
/** A receiver answering like `service` (or from a script) and a deliverer on a test clock. */
async function setup(
  format: 'dingtalk' | 'wecom' | 'slack' | 'teams' | 'generic',
  options: {
    script?: ReceiverAnswer[];
    failFirst?: number;
    secret?: string;
    /** The pool the deliverer is given (default: the test's own). */
    poolFor?: (clock: ReturnType<typeof testClock>) => pg.Pool;
  } = {},
) {
  const clock = testClock();
  const receiver = await startWebhookReceiver({
    now: clock.now,
    ...(options.script ? { script: options.script } : {}),
    ...(options.failFirst ? { failFirst: options.failFirst } : {}),
    ...(format !== 'generic'
      ? { rules: { service: format, ...(options.secret ? { secret: 'SECright' } : {}) } }
      : {}),
  });
  const id = `ch-${format}-${++n}`;
  const channel: AlertChannel = {
    id,
    type: 'webhook',
    format,
    urlEnv: 'HOOK_URL',
    ...(options.secret ? { secretEnv: 'HOOK_SECRET' } : {}),
  };
  const deliverer = new Deliverer(options.poolFor?.(clock) ?? pool, [channel], log, {
    attempts: 3,
    baseDelayMs: 1000,
    timeoutMs: 5000,
    env: { ...LOOPBACK_WEBHOOKS, HOOK_URL: receiver.url, HOOK_SECRET: options.secret ?? '' },
    now: clock.now,
    clock,
  });
  deliverer.start();
  cleanup.push(receiver.stop, () => deliverer.stop(2000));
  const send = (title: string, key?: string) =>
    deliverer.queue.enqueue(id, key, () => textPayload(format, title), { title, event: 'test' });
  const status = async () => (await deliverer.queue.status()).get(id)!;
  return { clock, receiver, deliverer, id, send, status };
}

/** A small message in the format, with the title in it (and "Takt" for DingTalk keywords). */
function textPayload(format: string, title: string): Payload {
  const body =
    format === 'dingtalk'
      ? { msgtype: 'markdown', markdown: { title, text: `Takt ${title}` } }
      : format === 'wecom'
        ? { msgtype: 'markdown', markdown: { content: title } }
        : { text: title };
  return { type: 'webhook', body: JSON.stringify(body) };
}

async function rows(channelId: string) {
  const { rows } = await pool.query<{
    id: string;
    status: string;
    attempts: number;
    digest_id: string | null;
    last_error: string | null;
  }>(
    'SELECT id, status, attempts, digest_id, last_error FROM alert_deliveries WHERE channel_id = $1 ORDER BY id',
    [channelId],
  );
  return rows;
}

async function insertAlert(subject: string): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO alerts (rule_id, subject, severity, status, opened_at, message)
     VALUES ('hot', $1, 'critical', 'open', now(), 'hot') RETURNING id`,
    [subject],
  );
  return Number(rows[0]!.id);
}

const notice = (alertId: number, event: AlertNotice['event']): AlertNotice => ({
  event,
  site: 'Plant 1',
  ruleName: 'Hot',
  at: '2026-12-07T08:00:00.000Z',
  alert: {
    id: alertId,
    rule: 'hot',
    subject: 'press-01',
    severity: 'critical',
    status: event === 'cleared' ? 'cleared' : 'open',
    openedAt: '2026-12-07T08:00:00.000Z',
    value: 91,
    message: `press-01 temperature 91 (${event})`,
    acknowledgedAt: null,
    acknowledgedBy: null,
    ackComment: null,
    clearedAt: event === 'cleared' ? '2026-12-07T08:05:00.000Z' : null,
    clearedBy: event === 'cleared' ? 'condition' : null,
    escalatedAt: null,
    deliveryFailed: false,
    messageKey: 'legacy.text',
    messageParams: { text: `press-01 temperature 91 (${event})` },
  },
});

describe('the delivery queue (rate limits, refusals, order)', () => {
  it('lets at most 20 of 25 DingTalk messages leave in the first minute, the rest in a digest', async () => {
    const { clock, receiver, id, send } = await setup('dingtalk');
    for (let i = 1; i <= 25; i++) await send(`notice ${i}`);
    await waitFor('every notice sent', async () =>
      (await rows(id)).every((r) => r.status === 'delivered'),
    );
    expect(receiver.received).toHaveLength(20);
    expect(receiver.received.every((r) => r.answered.body.includes('"errcode":0'))).toBe(true);
    // The 20th message carries notices 20–25, in order.
    const digest = (receiver.received[19]!.json as { markdown: { title: string; text: string } })
      .markdown;
    expect(digest.title).toBe('Takt：6 条通知');
    const order = [20, 21, 22, 23, 24, 25].map((i) => digest.text.indexOf(`notice ${i}`));
    expect(order.every((at, k) => at > 0 && (k === 0 || at > order[k - 1]!))).toBe(true);
    const digested = (await rows(id)).slice(19);
    expect(new Set(digested.map((r) => r.digest_id))).toEqual(new Set([digested[0]!.id]));

    // Five more within the minute wait for the window, then leave one by one.
    for (let i = 26; i <= 30; i++) await send(`notice ${i}`);
    await waitFor('the worker waiting for the window', () =>
      clock.waits().some((ms) => ms > 0 && ms <= 60_000),
    );
    expect(receiver.received).toHaveLength(20);
    clock.advance(60_000);
    await waitFor('the five sent', () => receiver.received.length === 25);
    expect(receiver.received.slice(20).map((r) => r.answered.body)).toEqual(
      Array(5).fill(SERVICE_ANSWERS.dingtalk.ok.body),
    );
  });

  it.each([
    ['dingtalk', SERVICE_ANSWERS.dingtalk.tooFast, 10 * 60_000],
    ['wecom', SERVICE_ANSWERS.wecom.tooFast, 60_000],
    ['slack', SERVICE_ANSWERS.slack.tooFast(120), 120_000],
    ['teams', SERVICE_ANSWERS.teams.tooFast(5), 60_000],
  ] as const)(
    'waits after a %s rate-limit answer (at least a minute or Retry-After), then sends',
    async (format, answer, waitMs) => {
      const { clock, receiver, id, send, status } = await setup(format, { script: [answer] });
      await send('first');
      await waitFor('the refusal', async () => (await status()).status === 'rate-limited');
      await waitFor('the wait', () => clock.waits().some((ms) => ms < 24 * 3600_000));
      expect(receiver.received).toHaveLength(1);
      expect(clock.waits()[0]).toBe(waitMs);
      clock.advance(waitMs - 1);
      expect(clock.waits()[0]).toBe(1); // still waiting: nothing sent before the time
      expect(receiver.received).toHaveLength(1);
      clock.advance(1);
      await waitFor('the second try', async () => (await rows(id))[0]!.status === 'delivered');
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[1]!.at - receiver.received[0]!.at).toBeGreaterThanOrEqual(60_000);
      expect(await status()).toMatchObject({ status: 'ok', queued: 0 });
    },
  );

  it('keeps a DingTalk block over a restart, and the notice queued', async () => {
    const { clock, receiver, deliverer, id, send, status } = await setup('dingtalk', {
      script: [SERVICE_ANSWERS.dingtalk.tooFast],
    });
    await send('blocked');
    await waitFor('the refusal', async () => (await status()).status === 'rate-limited');
    clock.advance(4 * 60_000);
    await deliverer.stop(2000);
    const again = new Deliverer(
      pool,
      [{ id, type: 'webhook', format: 'dingtalk', urlEnv: 'U' }],
      log,
      {
        attempts: 3,
        baseDelayMs: 1000,
        timeoutMs: 5000,
        env: { ...LOOPBACK_WEBHOOKS, U: receiver.url },
        now: clock.now,
        clock,
      },
    );
    again.start();
    cleanup.push(() => again.stop(2000));
    await waitFor('the wait after the restart', () => clock.waits().includes(6 * 60_000));
    expect(receiver.received).toHaveLength(1);
    expect(await status()).toMatchObject({ status: 'rate-limited', queued: 1 });
    clock.advance(6 * 60_000);
    await waitFor('the notice', async () => (await rows(id))[0]!.status === 'delivered');
    expect(receiver.received).toHaveLength(2);
  });

  it.each([
    ['dingtalk', SERVICE_ANSWERS.dingtalk.keyword, /keywords not in content/],
    ['dingtalk', SERVICE_ANSWERS.dingtalk.ipRefused, /not in whitelist/],
    ['wecom', SERVICE_ANSWERS.wecom.invalidUrl, /errcode 93000/],
    ['wecom', SERVICE_ANSWERS.wecom.tooLong, /errcode 40058/],
    ['slack', SERVICE_ANSWERS.slack.noService, /HTTP 404: no_service/],
    ['slack', SERVICE_ANSWERS.slack.archived, /HTTP 410: channel_is_archived/],
  ] as const)(
    'does not retry a permanent %s refusal (case %#) and marks the channel broken',
    async (format, answer, error) => {
      const { clock, receiver, id, send, status } = await setup(format, { script: [answer] });
      await send('refused');
      await waitFor('the refusal', async () => (await rows(id))[0]!.status === 'failed');
      // A marker after it: sent once it is its turn, and the refused one was not tried again.
      await send('marker');
      clock.advance(1000); // Slack's window: one a second
      await waitFor('the marker', async () => (await rows(id))[1]!.status === 'delivered');
      expect(receiver.received).toHaveLength(2);
      expect((await rows(id))[0]).toMatchObject({
        attempts: 1,
        last_error: expect.stringMatching(error),
      });
      expect((await status()).lastError).toMatch(error);
    },
  );

  it('DingTalk 310000 sign not match: not retried, the alert marked, the channel broken', async () => {
    const { deliverer, receiver, id, status } = await setup('dingtalk', { secret: 'SECwrong' });
    const alertId = await insertAlert('press-sign');
    await deliverer.deliver(alertId, [id], notice(alertId, 'opened'));
    const failed = await waitFor('the failed delivery', async () => {
      const [row] = await rows(id);
      return row?.status === 'failed' ? row : undefined;
    });
    expect(failed).toMatchObject({
      attempts: 1,
      last_error: expect.stringContaining('sign not match'),
    });
    expect(receiver.received).toHaveLength(1);
    expect(await status()).toMatchObject({ status: 'broken', queued: 0 });
    const { rows: events } = await pool.query<{ kind: string }>(
      'SELECT kind FROM alert_events WHERE alert_id = $1',
      [alertId],
    );
    expect(events.map((e) => e.kind)).toEqual(['delivery-failed']);
    const { rows: alert } = await pool.query<{ delivery_failed: boolean }>(
      'SELECT delivery_failed FROM alerts WHERE id = $1',
      [alertId],
    );
    expect(alert[0]!.delivery_failed).toBe(true);
  });

  it("keeps one alert's notices in order while its first waits for a retry; other alerts pass", async () => {
    const { clock, deliverer, receiver, id, send } = await setup('generic', { failFirst: 1 });
    const alertId = await insertAlert('press-order');
    await deliverer.deliver(alertId, [id], notice(alertId, 'opened'));
    await waitFor('the retry wait', () => clock.waits().includes(1000));
    await deliverer.deliver(alertId, [id], notice(alertId, 'cleared'));
    await send('other alert', 'alert:other');
    await waitFor('the other alert', () => receiver.received.length === 1);
    expect(receiver.received[0]!.json).toEqual({ text: 'other alert' });
    clock.advance(1000);
    await waitFor('both notices', () => receiver.received.length === 3);
    const events = receiver.received.slice(1).map((r) => (r.json as { event: string }).event);
    expect(events).toEqual(['opened', 'cleared']);
  });

  it('ends a retry wait when the clock says, even if the clock moved while the rows were read', async () => {
    // The worker reads the clock, then its pending rows, then waits. A clock that moves during
    // the read (a busy machine; here the test's clock, moved by the read itself) must not
    // stretch the wait: it is a deadline from the reading, not a duration from the wait.
    let moveOnRead = false;
    const { clock, deliverer, receiver, id } = await setup('generic', {
      failFirst: 1,
      poolFor: (clock) =>
        new Proxy(pool, {
          get(target, key) {
            if (key !== 'query') return Reflect.get(target, key);
            return async (...args: Parameters<pg.Pool['query']>) => {
              const result = await (target.query as (...a: unknown[]) => unknown)(...args);
              if (moveOnRead && String(args[0]).includes("status = 'pending' ORDER BY id")) {
                moveOnRead = false;
                clock.advance(1000);
              }
              return result;
            };
          },
        }),
    });
    const alertId = await insertAlert('press-moving-clock');
    await deliverer.deliver(alertId, [id], notice(alertId, 'opened'));
    await waitFor('the retry wait', () => clock.waits().includes(1000));
    moveOnRead = true;
    await deliverer.deliver(alertId, [id], notice(alertId, 'cleared'));
    // (The receiver records what it accepts: the failed first try is not among them.)
    await waitFor('both notices', () => receiver.received.length === 2);
    const events = receiver.received.map((r) => (r.json as { event: string }).event);
    expect(events).toEqual(['opened', 'cleared']);
    expect(moveOnRead).toBe(false);
  });
});
