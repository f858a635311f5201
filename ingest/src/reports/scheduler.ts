/**
 * Pushes the due reports (docs/decisions.md "Issue 19 — reports that come to people", "Issue
 * 19 — reports through the channel queue; the monthly page"): on a timer, the latest due
 * report of each schedule (schedule.ts) is claimed per channel in `sent_reports` (migration
 * 043) and queued on the channel's delivery queue in the same transaction that marks it
 * `sent`, so a restart never queues it twice and none is skipped; the queue sends it under
 * the channel's rate limit, retries it and records its outcome (`alert_deliveries`, the
 * channel's status). A report that cannot be drawn or queued is tried again on the next
 * ticks, up to MAX_ATTEMPTS, and stays on record.
 */
import { channelLang, type AlertChannel, type MessageLang, type PlantModel } from '@takt/protocol';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { DeliveryQueue } from '../alerts/delivery/queue';
import { withTransaction } from '../db/transaction';
import { chartFonts, reportPng, type ChartFonts } from './chart';
import { reportTitle, type ReportContent } from './content';
import type { RenderedReport } from './formats';
import { gatherReport } from './gather';
import { imageUrl, storeImage, urlKey } from './images';
import { dueReports, type DueReport } from './schedule';
import { enqueueReport } from './send';

export const MAX_ATTEMPTS = 3;

export interface ReportSchedulerOptions {
  now: () => number;
  /** How often due reports are looked for (default 30 s). */
  tickMs: number;
  /** TAKT_PUBLIC_URL: where the image links point; without it no links are sent. */
  publicUrl: string | undefined;
}

/** Retrying cannot help: the channel is not there, or there is nothing to report. */
class NotDeliverable extends Error {}

interface Claimed {
  id: number;
  channel: string;
  attempts: number;
}

export class ReportScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly fonts: ChartFonts;
  private readonly channels: Map<string, AlertChannel>;

  constructor(
    private readonly pool: Pool,
    private readonly plant: PlantModel,
    private readonly log: Logger,
    /** The alert runtime's queue (alerts/delivery/deliverer.ts): one rate window per channel. */
    private readonly queue: DeliveryQueue,
    private readonly opts: ReportSchedulerOptions,
  ) {
    this.fonts = chartFonts(log);
    this.channels = new Map(plant.alerts.channels.map((c) => [c.id, c]));
  }

  /** Looks at once (a report missed while down), then every tickMs. */
  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.opts.tickMs);
  }

  async stop(timeoutMs: number): Promise<void> {
    clearInterval(this.timer);
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    if (this.running && (await Promise.race([this.running, timer])) === 'timeout')
      this.log.warn('a report was still being queued at shutdown; it is queued at the next start');
  }

  /** One look; ticks never overlap (a slow send delays the next look). */
  private tick(): void {
    if (this.running) return;
    this.running = this.sendDue()
      .catch((error: Error) => this.log.error({ err: error.message }, 'report schedule failed'))
      .finally(() => (this.running = undefined));
  }

  /** Sends what is due now; resolves when done (tests call it through the timer). */
  async sendDue(): Promise<void> {
    for (const due of dueReports(this.plant, this.opts.now())) await this.sendOne(due);
  }

  private async claim(due: DueReport): Promise<Claimed[]> {
    const { period } = due;
    const key = [period.kind, this.plant.site.id, period.date, period.shift];
    for (const channel of due.channels)
      await this.pool.query(
        `INSERT INTO sent_reports (kind, site_id, report_date, shift_id, channel_id)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [...key, channel],
      );
    const { rows } = await this.pool.query<{ id: string; channel_id: string; attempts: number }>(
      `SELECT id, channel_id, attempts FROM sent_reports
        WHERE kind = $1 AND site_id = $2 AND report_date = $3 AND shift_id = $4
          AND status <> 'sent' AND attempts < $5 AND channel_id = ANY($6::text[])`,
      [...key, MAX_ATTEMPTS, due.channels],
    );
    return rows.map((r) => ({ id: Number(r.id), channel: r.channel_id, attempts: r.attempts }));
  }

  private async sendOne(due: DueReport): Promise<void> {
    const claimed = await this.claim(due);
    if (claimed.length === 0) return;
    const content = await gatherReport(this.pool, this.plant, due.period);
    const rendered = new Map<MessageLang, RenderedReport>();
    for (const row of claimed) {
      const channel = this.channels.get(row.channel);
      try {
        if (!channel || !this.queue.has(row.channel))
          throw new NotDeliverable(`channel "${row.channel}" is not declared`);
        if (!content) throw new NotDeliverable('the plant has no machines stored yet');
        const lang = channelLang(channel);
        const report = rendered.get(lang) ?? (await this.render(content, lang));
        rendered.set(lang, report);
        const queued = await withTransaction(this.pool, async (db) => {
          // Another look under the row's lock: a second instance may have queued it meanwhile.
          const { rows } = await db.query<{ status: string }>(
            'SELECT status FROM sent_reports WHERE id = $1 FOR UPDATE',
            [row.id],
          );
          if (rows[0]?.status === 'sent') return [];
          const ids = await enqueueReport(
            this.queue,
            db,
            channel,
            report,
            reportTitle(content, lang),
          );
          await db.query(
            `UPDATE sent_reports SET status = 'sent', attempts = attempts + 1, last_error = NULL, sent_at = now() WHERE id = $1`,
            [row.id],
          );
          return ids;
        });
        this.queue.wake(row.channel);
        if (queued.length > 0)
          this.log.info(
            { report: due.period, channel: row.channel, deliveries: queued },
            'report queued',
          );
      } catch (error) {
        const final = error instanceof NotDeliverable || row.attempts + 1 >= MAX_ATTEMPTS;
        await this.pool.query(
          `UPDATE sent_reports SET status = 'failed', attempts = $2, last_error = $3 WHERE id = $1`,
          [row.id, final ? MAX_ATTEMPTS : row.attempts + 1, (error as Error).message],
        );
        this.log[final ? 'error' : 'warn'](
          { report: due.period, channel: row.channel, err: (error as Error).message },
          final ? 'report not queued; given up' : 'report not queued; tried again later',
        );
      }
    }
  }

  private async render(content: ReportContent, lang: MessageLang): Promise<RenderedReport> {
    const now = this.opts.now();
    const png = reportPng(content, lang, this.plant, this.fonts, now);
    let url: string | undefined;
    if (this.opts.publicUrl) {
      // Links expire by the wall clock the receivers fetch them by, not the report's clock.
      const exp = Date.now() + (this.plant.reports?.imageDays ?? 14) * 24 * 3_600_000;
      const id = await storeImage(this.pool, png, exp);
      url = imageUrl(this.opts.publicUrl, await urlKey(this.pool), id, exp);
    }
    return { content, lang, plant: this.plant, png, imageUrl: url, now };
  }
}
