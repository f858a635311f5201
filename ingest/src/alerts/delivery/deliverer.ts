import {
  channelLang,
  type AlertChannel,
  type EmailChannel,
  type WebhookChannel,
} from '@takt/protocol';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { postWebhook, webhookAllowList, type WebhookAnswer } from './webhook-target';
import {
  acceptedResponse,
  noticeText,
  noticeTitle,
  webhookRequest,
  type AlertNotice,
} from './formats';

export interface DeliveryOptions {
  /** Attempts per message, the first included. */
  attempts: number;
  /** Wait before retry n: baseDelayMs × 2^(n-1). */
  baseDelayMs: number;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  now: () => number;
}

export const DEFAULT_DELIVERY: Omit<DeliveryOptions, 'env' | 'now'> = {
  attempts: 5,
  baseDelayMs: 2000,
  timeoutMs: 10_000,
};

/** A setting a channel needs from the environment is missing: fails every attempt, plainly. */
class MissingEnv extends Error {}

function fromEnv(env: NodeJS.ProcessEnv, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const value = env[name];
  if (!value) throw new MissingEnv(`environment variable ${name} is not set`);
  return value;
}

/**
 * Sends notices to webhooks and e-mail, each message retried with exponential backoff and
 * its outcome stored in `alert_deliveries`; a message that never got through marks the alert
 * `delivery_failed` and adds a `delivery-failed` event: never lost silently.
 */
export class Deliverer {
  private readonly channels: Map<string, AlertChannel>;
  private readonly mailers = new Map<string, Transporter>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  /** Ends every backoff wait at once on stop. */
  private readonly abort = new AbortController();
  /** Private webhook targets allowed (TAKT_WEBHOOK_ALLOW); a wrong entry fails the start. */
  private readonly allow: ReturnType<typeof webhookAllowList>;

  constructor(
    private readonly pool: Pool,
    channels: readonly AlertChannel[],
    private readonly log: Logger,
    private readonly opts: DeliveryOptions,
  ) {
    this.channels = new Map(channels.map((c) => [c.id, c]));
    this.allow = webhookAllowList(opts.env);
  }

  deliver(alertId: number, channelIds: readonly string[], notice: AlertNotice): void {
    for (const channelId of channelIds) this.track(alertId, channelId, notice, undefined);
  }

  /** Notices left `pending` by the last shutdown: sent now (an alert is never told twice by one row). */
  resume(
    pending: { deliveryId: number; alertId: number; channelId: string; notice: AlertNotice }[],
  ) {
    for (const p of pending) this.track(p.alertId, p.channelId, p.notice, p.deliveryId);
  }

  private track(
    alertId: number,
    channelId: string,
    notice: AlertNotice,
    existing: number | undefined,
  ): void {
    const job = this.run(alertId, channelId, notice, existing).catch((error: Error) =>
      this.log.error(
        { alert: alertId, channel: channelId, err: error.message },
        'delivery bookkeeping failed',
      ),
    );
    this.inFlight.add(job);
    void job.finally(() => this.inFlight.delete(job));
  }

  /** Wait for messages under way (bounded); what is left stays `pending` in the table. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    const all = Promise.allSettled([...this.inFlight]);
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    if ((await Promise.race([all, timer])) === 'timeout')
      this.log.warn({ pending: this.inFlight.size }, 'alert deliveries still pending at shutdown');
    for (const mailer of this.mailers.values()) mailer.close();
  }

  private async run(
    alertId: number,
    channelId: string,
    notice: AlertNotice,
    existing: number | undefined,
  ): Promise<void> {
    const deliveryId =
      existing ??
      Number(
        (
          await this.pool.query<{ id: string }>(
            `INSERT INTO alert_deliveries (alert_id, event, channel_id, status) VALUES ($1, $2, $3, 'pending') RETURNING id`,
            [alertId, notice.event, channelId],
          )
        ).rows[0]!.id,
      );
    let lastError = 'not attempted';
    let attempt = existing === undefined ? 0 : await this.attemptsSoFar(deliveryId);
    const limit = attempt + this.opts.attempts;
    while (attempt < limit && !this.stopping) {
      attempt++;
      try {
        await this.send(channelId, notice, deliveryId);
        await this.pool.query(
          `UPDATE alert_deliveries SET status = 'delivered', attempts = $2, last_error = NULL, finished_at = now() WHERE id = $1`,
          [deliveryId, attempt],
        );
        return;
      } catch (error) {
        lastError = (error as Error).message;
        this.log.warn(
          { alert: alertId, channel: channelId, attempt, err: lastError },
          'alert delivery failed',
        );
        await this.pool.query(
          'UPDATE alert_deliveries SET attempts = $2, last_error = $3 WHERE id = $1',
          [deliveryId, attempt, lastError],
        );
        if (error instanceof MissingEnv) break; // retrying cannot help
        if (attempt < limit) await this.sleep(this.opts.baseDelayMs * 2 ** (attempt - 1));
      }
    }
    if (this.stopping && attempt < limit) return; // left pending: resumed at the next start
    await this.pool.query(
      `UPDATE alert_deliveries SET status = 'failed', finished_at = now() WHERE id = $1`,
      [deliveryId],
    );
    await this.pool.query('UPDATE alerts SET delivery_failed = true WHERE id = $1', [alertId]);
    await this.pool.query(
      `INSERT INTO alert_events (alert_id, time, kind, detail) VALUES ($1, $2, 'delivery-failed', $3)`,
      [
        alertId,
        new Date(this.opts.now()),
        JSON.stringify({
          channel: channelId,
          event: notice.event,
          error: lastError,
          attempts: attempt,
        }),
      ],
    );
    this.log.error(
      { alert: alertId, channel: channelId, attempts: attempt, err: lastError },
      'alert delivery given up',
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const { signal } = this.abort;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private async attemptsSoFar(deliveryId: number): Promise<number> {
    const { rows } = await this.pool.query<{ attempts: number }>(
      'SELECT attempts FROM alert_deliveries WHERE id = $1',
      [deliveryId],
    );
    return rows[0]?.attempts ?? 0;
  }

  private async send(channelId: string, notice: AlertNotice, deliveryId: number): Promise<void> {
    const channel = this.channels.get(channelId);
    if (!channel) throw new MissingEnv(`channel "${channelId}" is not declared`);
    if (channel.type === 'email') return this.sendMail(channel, notice);
    return this.post(channel, notice, deliveryId);
  }

  private async post(channel: WebhookChannel, notice: AlertNotice, deliveryId: number) {
    const url = fromEnv(this.opts.env, channel.urlEnv)!;
    const secret = fromEnv(this.opts.env, channel.secretEnv);
    const request = webhookRequest(channel, url, secret, notice, this.opts.now(), deliveryId);
    // The URL without its query: DingTalk and WeCom keep their token there.
    const where = new URL(url).origin;
    let answer: WebhookAnswer;
    try {
      answer = await postWebhook(
        new URL(request.url),
        request.headers,
        request.body,
        this.opts.timeoutMs,
        this.allow,
      );
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      throw new Error(`${where} unreachable: ${e.code ?? e.message}`);
    }
    if (answer.status >= 300 && answer.status < 400)
      throw new Error(
        `${where} answered HTTP ${answer.status} (a redirect${answer.location ? ` to ${new URL(answer.location, url).origin}` : ''}): redirects are not followed; give the final URL`,
      );
    const refused = acceptedResponse(channel, answer.status, answer.body);
    if (refused) throw new Error(refused);
  }

  private async sendMail(channel: EmailChannel, notice: AlertNotice) {
    const { smtp } = channel;
    let mailer = this.mailers.get(channel.id);
    if (!mailer) {
      const user = fromEnv(this.opts.env, smtp.userEnv);
      const pass = fromEnv(this.opts.env, smtp.passwordEnv);
      // Credentials only over TLS: from the start (secure) or by STARTTLS, which is then
      // required rather than taken when offered; allowPlainAuth is the explicit, logged way out.
      const requireTLS = user !== undefined && !smtp.secure && !smtp.allowPlainAuth;
      if (user !== undefined && !smtp.secure && smtp.allowPlainAuth)
        this.log.warn(
          { channel: channel.id, host: smtp.host },
          'SMTP credentials may be sent without TLS (allowPlainAuth: true)',
        );
      mailer = nodemailer.createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        requireTLS,
        ...(user !== undefined ? { auth: { user, pass } } : {}),
        connectionTimeout: this.opts.timeoutMs,
        greetingTimeout: this.opts.timeoutMs,
        socketTimeout: this.opts.timeoutMs,
      });
      this.mailers.set(channel.id, mailer);
    }
    try {
      await mailer.sendMail({
        from: channel.from,
        to: channel.to,
        subject: noticeTitle(notice, channelLang(channel)),
        text: noticeText(notice, channelLang(channel)),
        headers: { 'X-Takt-Alert': String(notice.alert.id), 'X-Takt-Event': notice.event },
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'ETLS')
        throw new Error(
          `${smtp.host}:${smtp.port} offers no STARTTLS, and the SMTP password is sent only over TLS: ` +
            "use the server's TLS port with smtp.secure: true, or set smtp.allowPlainAuth: true to send it in clear",
        );
      throw error;
    }
  }
}
