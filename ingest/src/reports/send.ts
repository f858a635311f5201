/**
 * Sends one report to one channel (docs/decisions.md "Issue 19 — reports that come to
 * people"). One function, `sendReport(channel, report, deps)`, so a per-channel queue can call
 * it; webhooks go through alerts/delivery/webhook-target.ts (its address checks, no
 * redirects), DingTalk and WeCom answers are read as the alert deliveries read them.
 * A refusal throws with the receiver's reason; the caller records it.
 */
import { createHmac } from 'node:crypto';
import type { AlertChannel, EmailChannel, WebhookChannel } from '@takt/protocol';
import nodemailer, { type Transporter } from 'nodemailer';
import type { AddressList } from '../auth/address-list';
import { rateLimitOf, webhookOutcome } from '../alerts/delivery/limits';
import { postWebhook } from '../alerts/delivery/webhook-target';
import { reportBodies, reportMail, type RenderedReport } from './formats';

export interface SendDeps {
  env: NodeJS.ProcessEnv;
  /** Private webhook targets allowed (TAKT_WEBHOOK_ALLOW). */
  allow: AddressList | undefined;
  timeoutMs: number;
  now: () => number;
  /** SMTP transports by channel id, made on first use and kept. */
  mailers: Map<string, Transporter>;
}

/** A channel setting missing from the environment: retrying cannot help. */
export class ReportChannelMisconfigured extends Error {}

function fromEnv(env: NodeJS.ProcessEnv, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const value = env[name];
  if (!value) throw new ReportChannelMisconfigured(`environment variable ${name} is not set`);
  return value;
}

/** DingTalk custom robot signing: timestamp and Base64(HMAC-SHA256(secret, "<ts>\n<secret>")). */
function signedUrl(channel: WebhookChannel, url: string, secret: string | undefined, now: number) {
  if (channel.format !== 'dingtalk' || !secret) return url;
  const signed = new URL(url);
  signed.searchParams.set('timestamp', String(now));
  signed.searchParams.set(
    'sign',
    createHmac('sha256', secret).update(`${now}\n${secret}`).digest('base64'),
  );
  return signed.toString();
}

async function post(channel: WebhookChannel, report: RenderedReport, deps: SendDeps) {
  const url = fromEnv(deps.env, channel.urlEnv)!;
  const secret = fromEnv(deps.env, channel.secretEnv);
  const where = new URL(url).origin; // never the query: DingTalk and WeCom keep a token there
  for (const payload of reportBodies(channel.format, report)) {
    const body = JSON.stringify(payload);
    const now = deps.now();
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (channel.format === 'generic' && secret) {
      headers['x-takt-timestamp'] = String(now);
      headers['x-takt-signature'] =
        `sha256=${createHmac('sha256', secret).update(`${now}.${body}`).digest('hex')}`;
    }
    let answer;
    try {
      answer = await postWebhook(
        new URL(signedUrl(channel, url, secret, now)),
        headers,
        body,
        deps.timeoutMs,
        deps.allow,
      );
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      throw new Error(`${where} unreachable: ${e.code ?? e.message}`);
    }
    if (answer.status >= 300 && answer.status < 400)
      throw new Error(`${where} answered HTTP ${answer.status} (a redirect): give the final URL`);
    const outcome = webhookOutcome(channel.format, rateLimitOf(channel), answer, now);
    if (outcome.kind !== 'sent') throw new Error(outcome.error);
  }
}

async function mail(channel: EmailChannel, report: RenderedReport, deps: SendDeps) {
  const { smtp } = channel;
  let mailer = deps.mailers.get(channel.id);
  if (!mailer) {
    const user = fromEnv(deps.env, smtp.userEnv);
    const pass = fromEnv(deps.env, smtp.passwordEnv);
    mailer = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      // Credentials only over TLS, as the alert mails (alerts/delivery/deliverer.ts).
      requireTLS: user !== undefined && !smtp.secure && !smtp.allowPlainAuth,
      ...(user !== undefined ? { auth: { user, pass } } : {}),
      connectionTimeout: deps.timeoutMs,
      greetingTimeout: deps.timeoutMs,
      socketTimeout: deps.timeoutMs,
    });
    deps.mailers.set(channel.id, mailer);
  }
  await mailer.sendMail({ from: channel.from, to: channel.to, ...reportMail(report) });
}

/** Sends the report to the channel; throws what the receiver refused with. */
export async function sendReport(
  channel: AlertChannel,
  report: RenderedReport,
  deps: SendDeps,
): Promise<void> {
  if (channel.type === 'email') return mail(channel, report, deps);
  return post(channel, report, deps);
}
