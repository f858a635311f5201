import type { AlertChannel } from '@takt/protocol';

/**
 * How many messages a channel takes, per kind (docs/decisions.md "Issue 19 — deliveries
 * people can rely on"): DingTalk and WeCom group robots take 20 a minute (DingTalk then
 * refuses for 10 minutes), a Slack incoming webhook about one a second, Teams a few a second;
 * an SMTP relay and a generic receiver are ours to be polite to.
 */
export interface RateLimit {
  max: number;
  perMs: number;
  /** Least wait after the receiver says "too fast" (its Retry-After may ask for more). */
  backoffMs: number;
}

const MINUTE = 60_000;

export const RATE_LIMITS: Record<string, RateLimit> = {
  dingtalk: { max: 20, perMs: MINUTE, backoffMs: 10 * MINUTE },
  wecom: { max: 20, perMs: MINUTE, backoffMs: MINUTE },
  slack: { max: 1, perMs: 1000, backoffMs: MINUTE },
  teams: { max: 4, perMs: 1000, backoffMs: MINUTE },
  generic: { max: 60, perMs: MINUTE, backoffMs: MINUTE },
  email: { max: 10, perMs: MINUTE, backoffMs: MINUTE },
};

export function rateLimitOf(channel: AlertChannel): RateLimit {
  return RATE_LIMITS[channel.type === 'email' ? 'email' : channel.format]!;
}

/** The sends of the last `perMs`: a sliding window, on the queue's clock. */
export class RateWindow {
  private readonly sent: number[] = [];

  constructor(private readonly limit: RateLimit) {}

  record(at: number): void {
    this.sent.push(at);
  }

  private trim(now: number): void {
    while (this.sent.length > 0 && this.sent[0]! <= now - this.limit.perMs) this.sent.shift();
  }

  /** Sends allowed right now. */
  left(now: number): number {
    this.trim(now);
    return Math.max(0, this.limit.max - this.sent.length);
  }

  /** How long until one more may leave (0: now). */
  waitMs(now: number): number {
    if (this.left(now) > 0) return 0;
    return this.sent[this.sent.length - this.limit.max]! + this.limit.perMs - now;
  }

  /** Messages the limit lets out within the next minute, this one included. */
  soon(now: number): number {
    return this.left(now) + this.limit.max * Math.max(0, Math.floor(MINUTE / this.limit.perMs) - 1);
  }
}

/** What a receiver's answer means for the notice and the channel. */
export type Outcome =
  | { kind: 'sent' }
  /** Try again after a backoff; counts toward the attempts. */
  | { kind: 'retry'; error: string }
  /** Too fast: the whole channel waits `waitMs`; does not count toward the attempts. */
  | { kind: 'rate-limited'; error: string; waitMs: number }
  /** Never going to work as it is (a wrong signature, a gone channel): not retried. */
  | { kind: 'permanent'; error: string };

// DingTalk custom robot: 130101 "send too fast, exceed 20 times per minute"; 310000 is the
// security settings' refusal ("sign not match", "keywords not in content", "ip … not in
// whitelist", "invalid timestamp"); 300001 a token that does not exist; 400102 a robot
// switched off.
const DINGTALK_RATE = new Set([130101, 410100]);
const DINGTALK_PERMANENT = new Set([310000, 300001, 400101, 400102, 400106, 400013]);
// WeCom group robot: 45009 "api freq out of limit"; 93000 "invalid webhook url" (robot
// removed or key wrong); 40058 an invalid parameter (e.g. markdown.content over 4096 bytes);
// 40008 an invalid message type; 44004 empty content.
const WECOM_RATE = new Set([45009]);
const WECOM_PERMANENT = new Set([93000, 40058, 40008, 44004]);

/** Retry-After in seconds or as an HTTP date, in ms from now; undefined when absent or bad. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Reads a webhook's answer (HTTP status, Retry-After, and the errcode DingTalk and WeCom put in a 200). */
export function webhookOutcome(
  format: string,
  limit: RateLimit,
  answer: { status: number; body: string; retryAfter?: string | undefined },
  now: number,
): Outcome {
  const { status, body } = answer;
  const text = `HTTP ${status}: ${body.slice(0, 200)}`;
  if (status === 429) {
    const asked = retryAfterMs(answer.retryAfter, now) ?? 0;
    return { kind: 'rate-limited', error: text, waitMs: Math.max(limit.backoffMs, asked) };
  }
  if (status >= 500 || status === 408 || status === 425) return { kind: 'retry', error: text };
  // Slack: 400 invalid_payload, 403 action_prohibited, 404 no_service / channel_not_found,
  // 410 channel_is_archived; Teams: 400, 401, 403, 404 likewise. The same message would
  // fail the same way.
  if (status >= 400) return { kind: 'permanent', error: text };
  if (status < 200 || status >= 300) return { kind: 'retry', error: text };
  if (format !== 'dingtalk' && format !== 'wecom') return { kind: 'sent' };
  let parsed: { errcode?: number; errmsg?: string };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return { kind: 'retry', error: `not a JSON answer: ${body.slice(0, 200)}` };
  }
  const code = parsed.errcode;
  if (code === undefined || code === 0) return { kind: 'sent' };
  const error = `errcode ${code}: ${parsed.errmsg ?? ''}`.slice(0, 300);
  const [rate, permanent] =
    format === 'dingtalk' ? [DINGTALK_RATE, DINGTALK_PERMANENT] : [WECOM_RATE, WECOM_PERMANENT];
  if (rate.has(code)) return { kind: 'rate-limited', error, waitMs: limit.backoffMs };
  if (permanent.has(code)) return { kind: 'permanent', error };
  return { kind: 'retry', error };
}
