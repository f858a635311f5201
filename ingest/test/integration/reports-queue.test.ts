import { createHash } from 'node:crypto';
import type { AlertChannel } from '@takt/protocol';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deliverer } from '../../src/alerts/delivery/deliverer';
import { migrate } from '../../src/db/migrate';
import { withTransaction } from '../../src/db/transaction';
import { reportTitle } from '../../src/reports/content';
import type { RenderedReport } from '../../src/reports/formats';
import { enqueueReport } from '../../src/reports/send';
import { LOOPBACK_WEBHOOKS, SERVICE_ANSWERS, startWebhookReceiver } from '../helpers/receivers';
import { createTestDatabase } from '../helpers/test-db';
import { testClock } from '../helpers/test-clock';
import { CONTENT } from '../unit/reports/fixture';
import { waitFor } from '../helpers/wait';

/**
 * A report goes through its channel's delivery queue (docs/decisions.md "Issue 19 — reports
 * through the channel queue; the monthly page"): it counts in the same rate window as the
 * alerts, and is never folded into a digest. Real PostgreSQL, a local receiver answering as
 * WeCom does (20 messages a minute, then errcode 45009), a clock the test moves.
 */
const log = pino({ level: 'silent' });
let pool: pg.Pool;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('takt_reports_queue') });
  await migrate(pool, log, { engine: 'postgres' });
});
afterAll(async () => {
  await pool.end();
});

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

describe('reports in the channel queue', () => {
  it('share the rate window with the alerts and are not folded into their digest', async () => {
    const clock = testClock();
    const receiver = await startWebhookReceiver({ now: clock.now, rules: { service: 'wecom' } });
    const channel: AlertChannel = {
      id: 'line-chat',
      type: 'webhook',
      format: 'wecom',
      urlEnv: 'U',
    };
    const deliverer = new Deliverer(pool, [channel], log, {
      attempts: 3,
      baseDelayMs: 1000,
      timeoutMs: 5000,
      env: { ...LOOPBACK_WEBHOOKS, U: receiver.url },
      now: clock.now,
      clock,
    });
    try {
      const alert = (n: number) =>
        deliverer.queue.enqueue(
          channel.id,
          `alert:${n}`,
          () => ({
            type: 'webhook',
            body: JSON.stringify({ msgtype: 'markdown', markdown: { content: `alert ${n}` } }),
          }),
          { title: `alert ${n}`, event: 'opened' },
        );
      // Queued before the worker starts: 19 alerts, the report (image and markdown), 5 alerts.
      for (let n = 1; n <= 19; n++) await alert(n);
      const report: RenderedReport = {
        content: CONTENT,
        lang: 'zh-CN',
        plant: undefined,
        png: PNG,
        imageUrl: undefined,
        now: clock.now(),
      };
      const title = reportTitle(CONTENT, 'zh-CN');
      const reportIds = await withTransaction(pool, (db) =>
        enqueueReport(deliverer.queue, db, channel, report, title),
      );
      expect(reportIds).toHaveLength(2);
      for (let n = 20; n <= 24; n++) await alert(n);
      deliverer.start();

      // WeCom lets 20 through a minute: 19 alerts, then the last send of the window is a
      // digest of the 5 later alerts; the report waits for the next window, whole.
      await waitFor('the window used up', () => clock.waits().some((ms) => ms > 0 && ms <= 60_000));
      expect(receiver.received).toHaveLength(20);
      const digest = (receiver.received[19]!.json as { markdown: { content: string } }).markdown
        .content;
      for (let n = 20; n <= 24; n++) expect(digest).toContain(`alert ${n}`);
      expect(digest).not.toContain(title);
      const { rows: waiting } = await pool.query<{ status: string }>(
        'SELECT status FROM alert_deliveries WHERE id = ANY($1::bigint[]) ORDER BY id',
        [reportIds],
      );
      expect(waiting.map((r) => r.status)).toEqual(['pending', 'pending']);

      clock.advance(60_000);
      await waitFor('the report sent', () => receiver.received.length === 22);
      const image = (receiver.received[20]!.json as { image: { base64: string; md5: string } })
        .image;
      expect(Buffer.from(image.base64, 'base64')).toEqual(PNG);
      expect(image.md5).toBe(createHash('md5').update(PNG).digest('hex'));
      const markdown = (receiver.received[21]!.json as { markdown: { content: string } }).markdown
        .content;
      expect(markdown).toContain(title);
      // Not one send over WeCom's limit: every answer was errcode 0.
      expect(receiver.received.map((r) => r.answered.body)).toEqual(
        Array(22).fill(SERVICE_ANSWERS.wecom.ok.body),
      );
      await waitFor('the report rows delivered', async () => {
        const { rows } = await pool.query<{ status: string; digest_id: string | null }>(
          'SELECT status, digest_id FROM alert_deliveries WHERE id = ANY($1::bigint[])',
          [reportIds],
        );
        return rows.every((r) => r.status === 'delivered' && r.digest_id === null);
      });
    } finally {
      await deliverer.stop(2000);
      await receiver.stop();
    }
  });
});
