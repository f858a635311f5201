import type { AlertChannel } from '@takt/protocol';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deliverer } from '../../src/alerts/delivery/deliverer';
import type { AlertNotice } from '../../src/alerts/delivery/formats';
import { migrate } from '../../src/db/migrate';
import { startSmtpReceiver } from '../helpers/receivers';
import { createTestDatabase } from '../helpers/test-db';
import { waitFor } from '../helpers/wait';

const log = pino({ level: 'silent' });
let pool: pg.Pool;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let deliverer: Deliverer;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_delivery_email') });
  await migrate(pool, log, { engine: 'postgres' });
  smtp = await startSmtpReceiver();
  const channel: AlertChannel = {
    id: 'mail',
    type: 'email',
    to: ['shift-lead@plant.example'],
    from: 'takt@plant.example',
    smtp: { host: '127.0.0.1', port: smtp.port, secure: false, allowPlainAuth: false },
  };
  deliverer = new Deliverer(pool, [channel], log, {
    attempts: 3,
    baseDelayMs: 50,
    timeoutMs: 5000,
    env: {},
    now: Date.now,
  });
  deliverer.start();
});
afterAll(async () => {
  await deliverer.stop(2000);
  await smtp.stop();
  await pool.end();
});

const notice = (id: number, event: AlertNotice['event']): AlertNotice => ({
  event,
  site: 'Plant 1',
  ruleName: 'Hot',
  at: '2026-12-07T08:00:00.000Z',
  alert: {
    id,
    rule: 'hot',
    subject: 'press-01',
    severity: 'critical',
    status: event === 'cleared' ? 'cleared' : 'open',
    openedAt: '2026-12-07T08:00:00.000Z',
    value: 91,
    message: 'press-01 temperature 91 <hot> & rising',
    acknowledgedAt: null,
    acknowledgedBy: null,
    ackComment: null,
    clearedAt: event === 'cleared' ? '2026-12-07T08:05:00.000Z' : null,
    clearedBy: event === 'cleared' ? 'condition' : null,
    escalatedAt: null,
    deliveryFailed: false,
    messageKey: 'legacy.text',
    messageParams: { text: 'press-01 temperature 91 <hot> & rising' },
  },
});

describe('alert e-mail', () => {
  it('sends text and HTML, Auto-Submitted, and one thread per alert', async () => {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO alerts (rule_id, subject, severity, status, opened_at, message)
       VALUES ('hot', 'press-01', 'critical', 'open', now(), 'hot') RETURNING id`,
    );
    const id = Number(rows[0]!.id);
    await deliverer.deliver(id, ['mail'], notice(id, 'opened'));
    await deliverer.deliver(id, ['mail'], notice(id, 'escalated'));
    await deliverer.deliver(id, ['mail'], notice(id, 'cleared'));
    await waitFor('three mails', () => smtp.received.length === 3);
    const [opened, escalated, cleared] = smtp.received;
    for (const mail of smtp.received) {
      expect(mail.header('auto-submitted')).toBe('auto-generated');
      expect(mail.header('content-type')).toMatch(/^multipart\/alternative/);
      expect(mail.raw).toMatch(/Content-Type: text\/plain/);
      expect(mail.raw).toMatch(/Content-Type: text\/html/);
    }
    // The HTML part escapes what came from data.
    expect(opened!.raw).toContain('&lt;hot&gt; &amp; rising');
    const root = opened!.header('message-id');
    expect(root).toBe(`<takt-alert-${id}.mail@plant.example>`);
    for (const reply of [escalated!, cleared!]) {
      expect(reply.header('message-id')).toMatch(/^<takt-\d+@plant\.example>$/);
      expect(reply.header('message-id')).not.toBe(root);
      expect(reply.header('in-reply-to')).toBe(root);
      expect(reply.header('references')).toBe(root);
    }
    expect(escalated!.header('message-id')).not.toBe(cleared!.header('message-id'));
    expect(opened!.header('in-reply-to')).toBeUndefined();
  });
});
