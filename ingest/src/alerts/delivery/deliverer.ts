import {
  channelLang,
  type AlertChannel,
  type EmailChannel,
  type WebhookChannel,
} from '@takt/protocol';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import {
  noticeFacts,
  noticeText,
  noticeTitle,
  signedRequest,
  webhookBody,
  type AlertNotice,
} from './formats';
import { rateLimitOf, webhookOutcome, type Outcome } from './limits';
import { mailHtml, type Payload } from './payloads';
import { DeliveryQueue, realClock, type DeliveryClock } from './queue';
import { postWebhook, webhookAllowList, WEBHOOK_ALLOW_ENV } from './webhook-target';

export interface DeliveryOptions {
  /** Attempts per notice for errors that may pass (5xx, unreachable), the first included. */
  attempts: number;
  /** Wait before retry n: baseDelayMs × 2^(n-1). */
  baseDelayMs: number;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  now: () => number;
  /** The queue's clock; tests move it. Defaults to `now` and real timers. */
  clock?: DeliveryClock;
}

export const DEFAULT_DELIVERY: Omit<DeliveryOptions, 'env' | 'now' | 'clock'> = {
  attempts: 5,
  baseDelayMs: 2000,
  timeoutMs: 10_000,
};

/** A setting a channel needs from the environment is missing: no retry helps. */
class MissingEnv extends Error {}

function fromEnv(env: NodeJS.ProcessEnv, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const value = env[name];
  if (!value) throw new MissingEnv(`environment variable ${name} is not set`);
  return value;
}

/** The domain of Message-IDs: the sender's. */
const mailDomain = (channel: EmailChannel) => channel.from.split('@')[1] ?? 'takt.invalid';

/** The Message-ID of an alert's first notice on an e-mail channel: its thread's root. */
export function alertThreadId(channel: EmailChannel, alertId: number): string {
  return `<takt-alert-${alertId}.${channel.id}@${mailDomain(channel)}>`;
}

const langOf = (channel: AlertChannel | undefined) => (channel ? channelLang(channel) : 'en');

/** An alert notice as the channel's payload (delivery/payloads.ts). */
export function alertPayload(channel: AlertChannel, alertId: number, notice: AlertNotice): Payload {
  if (channel.type === 'webhook')
    return {
      type: 'webhook',
      body: webhookBody(channel, notice),
      headers: { 'x-takt-event': notice.event },
    };
  const root = alertThreadId(channel, alertId);
  const lang = channelLang(channel);
  const title = noticeTitle(notice, lang);
  return {
    type: 'mail',
    subject: title,
    text: noticeText(notice, lang),
    html: mailHtml(title, noticeFacts(notice, lang)),
    headers: { 'X-Takt-Alert': String(alertId), 'X-Takt-Event': notice.event },
    ...(notice.event === 'opened' ? { messageId: root } : { inReplyTo: root }),
  };
}

/**
 * Sends notices to webhooks and e-mail through a durable, rate-limited queue per channel
 * (delivery/queue.ts); a notice that never gets through marks its alert `delivery_failed`
 * and adds a `delivery-failed` event: never lost silently.
 */
export class Deliverer {
  readonly queue: DeliveryQueue;
  private readonly channels: Map<string, AlertChannel>;
  private readonly mailers = new Map<string, Transporter>();
  /** Private webhook targets allowed (TAKT_WEBHOOK_ALLOW); a wrong entry fails the start. */
  private readonly allow: ReturnType<typeof webhookAllowList>;
  private readonly clock: DeliveryClock;

  constructor(
    pool: Pool,
    channels: readonly AlertChannel[],
    private readonly log: Logger,
    private readonly opts: DeliveryOptions,
  ) {
    this.channels = new Map(channels.map((c) => [c.id, c]));
    this.allow = webhookAllowList(opts.env);
    this.clock = opts.clock ?? realClock(opts.now);
    this.queue = new DeliveryQueue(
      pool,
      channels,
      (channel, payload, id) => this.send(channel, payload, id),
      log,
      this.clock,
      opts,
    );
  }

  /** Starts sending, the notices the last run left queued first. */
  start(): void {
    this.queue.start();
  }

  /** Queues an alert's notice for each channel, in order after its earlier notices. */
  async deliver(
    alertId: number,
    channelIds: readonly string[],
    notice: AlertNotice,
  ): Promise<void> {
    for (const channelId of channelIds)
      await this.queue.enqueue(
        channelId,
        `alert:${alertId}`,
        (channel) => alertPayload(channel, alertId, notice),
        {
          alertId,
          event: notice.event,
          // The digest's line for this notice, in the channel's language.
          title: noticeTitle(notice, langOf(this.channels.get(channelId))),
          mentions: notice.mentions ?? [],
        },
      );
  }

  async stop(timeoutMs: number): Promise<void> {
    await this.queue.stop(timeoutMs);
    for (const mailer of this.mailers.values()) mailer.close();
  }

  private async send(
    channel: AlertChannel,
    payload: Payload,
    deliveryId: number,
  ): Promise<Outcome> {
    try {
      if (channel.type === 'email') {
        if (payload.type !== 'mail') return { kind: 'permanent', error: 'not an e-mail payload' };
        return await this.sendMail(channel, payload, deliveryId);
      }
      if (payload.type !== 'webhook') return { kind: 'permanent', error: 'not a webhook payload' };
      return await this.post(channel, payload, deliveryId);
    } catch (error) {
      if (error instanceof MissingEnv) return { kind: 'permanent', error: error.message };
      throw error;
    }
  }

  private async post(
    channel: WebhookChannel,
    payload: Extract<Payload, { type: 'webhook' }>,
    deliveryId: number,
  ): Promise<Outcome> {
    const url = fromEnv(this.opts.env, channel.urlEnv)!;
    const secret = fromEnv(this.opts.env, channel.secretEnv);
    const now = this.clock.now();
    const request = signedRequest(
      channel,
      url,
      secret,
      payload.body,
      now,
      deliveryId,
      payload.headers,
    );
    // The URL without its query: DingTalk and WeCom keep their token there.
    const where = new URL(url).origin;
    let answer;
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
      const text = `${where} unreachable: ${e.code ?? e.message}`;
      // A target refused by address is the configuration, not the network.
      return e.message.includes(WEBHOOK_ALLOW_ENV)
        ? { kind: 'permanent', error: text }
        : { kind: 'retry', error: text };
    }
    if (answer.status >= 300 && answer.status < 400)
      return {
        kind: 'permanent',
        error: `${where} answered HTTP ${answer.status} (a redirect${answer.location ? ` to ${new URL(answer.location, url).origin}` : ''}): redirects are not followed; give the final URL`,
      };
    return webhookOutcome(channel.format, rateLimitOf(channel), answer, this.clock.now());
  }

  private mailer(channel: EmailChannel): Transporter {
    const { smtp } = channel;
    let mailer = this.mailers.get(channel.id);
    if (mailer) return mailer;
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
    return mailer;
  }

  /**
   * One e-mail: text and HTML parts, `Auto-Submitted: auto-generated` (RFC 3834: no
   * auto-replies), a Message-ID per notice and In-Reply-To / References to the alert's first
   * notice, so one alert is one thread.
   */
  private async sendMail(
    channel: EmailChannel,
    payload: Extract<Payload, { type: 'mail' }>,
    deliveryId: number,
  ): Promise<Outcome> {
    const { smtp } = channel;
    const messageId = payload.messageId ?? `<takt-${deliveryId}@${mailDomain(channel)}>`;
    try {
      await this.mailer(channel).sendMail({
        from: channel.from,
        to: channel.to,
        subject: payload.subject,
        text: payload.text,
        html: payload.html,
        messageId,
        ...(payload.inReplyTo
          ? { inReplyTo: payload.inReplyTo, references: [payload.inReplyTo] }
          : {}),
        headers: { ...payload.headers, 'Auto-Submitted': 'auto-generated' },
        ...(payload.attachments
          ? {
              attachments: payload.attachments.map((a) => ({
                filename: a.filename,
                contentType: a.contentType,
                content: a.base64,
                encoding: 'base64',
                ...(a.cid ? { cid: a.cid } : {}),
              })),
            }
          : {}),
      });
      return { kind: 'sent' };
    } catch (error) {
      const e = error as { code?: string; responseCode?: number; message: string };
      if (e.code === 'ETLS')
        return {
          kind: 'permanent',
          error:
            `${smtp.host}:${smtp.port} offers no STARTTLS, and the SMTP password is sent only over TLS: ` +
            "use the server's TLS port with smtp.secure: true, or set smtp.allowPlainAuth: true to send it in clear",
        };
      // SMTP 5xx (a refused address, a failed login) is permanent; 4xx and the network may pass.
      if (e.responseCode !== undefined && e.responseCode >= 500)
        return { kind: 'permanent', error: e.message };
      if (e.code === 'EAUTH') return { kind: 'permanent', error: e.message };
      return { kind: 'retry', error: e.message };
    }
  }
}
