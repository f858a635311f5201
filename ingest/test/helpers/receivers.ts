import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * The receivers listen on loopback, which ingest's webhooks refuse unless TAKT_WEBHOOK_ALLOW
 * lists it (alerts/delivery/webhook-target.ts): tests that deliver to them pass this env.
 */
export const LOOPBACK_WEBHOOKS = { TAKT_WEBHOOK_ALLOW: '127.0.0.1' } as const;

export interface ReceivedRequest {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
  /** The receiver's clock when it came (the `now` option, else Date.now()). */
  at: number;
  /** What was answered. */
  answered: ReceiverAnswer;
}

export interface ReceiverAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

const json = (value: unknown): ReceiverAnswer => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

/**
 * The error answers of the real services, as they send them (DingTalk and WeCom: HTTP 200
 * with an errcode; Slack and Teams: an HTTP status, Slack with a one-word body).
 */
export const SERVICE_ANSWERS = {
  dingtalk: {
    ok: json({ errcode: 0, errmsg: 'ok' }),
    tooFast: json({ errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' }),
    signMismatch: json({
      errcode: 310000,
      errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]',
    }),
    keyword: json({
      errcode: 310000,
      errmsg:
        'keywords not in content, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]',
    }),
    ipRefused: json({
      errcode: 310000,
      errmsg:
        'ip 203.0.113.7 not in whitelist, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]',
    }),
  },
  wecom: {
    ok: json({ errcode: 0, errmsg: 'ok' }),
    tooFast: json({ errcode: 45009, errmsg: 'api freq out of limit' }),
    invalidUrl: json({
      errcode: 93000,
      errmsg: 'invalid webhook url, hint: [1733456789_1], from ip: 203.0.113.7',
    }),
    tooLong: json({
      errcode: 40058,
      errmsg: 'markdown.content exceed max length 4096. invalid Request Parameter',
    }),
  },
  slack: {
    ok: { status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' },
    noService: { status: 404, headers: { 'content-type': 'text/html' }, body: 'no_service' },
    channelNotFound: {
      status: 404,
      headers: { 'content-type': 'text/html' },
      body: 'channel_not_found',
    },
    archived: {
      status: 410,
      headers: { 'content-type': 'text/html' },
      body: 'channel_is_archived',
    },
    tooFast: (retryAfterS: number): ReceiverAnswer => ({
      status: 429,
      headers: { 'content-type': 'text/html', 'retry-after': String(retryAfterS) },
      body: 'rate_limited',
    }),
  },
  teams: {
    ok: { status: 202, body: '' },
    tooFast: (retryAfterS: number): ReceiverAnswer => ({
      status: 429,
      headers: { 'retry-after': String(retryAfterS) },
      body: '{"error":{"code":"TooManyRequests"}}',
    }),
  },
} as const;

/**
 * How a service judges what it is sent, as the real one does: DingTalk and WeCom robots take
 * 20 messages a minute (on `now`) and answer 130101 / 45009 past that; a DingTalk `secret`
 * checks the signature (310000 sign not match) and `keyword` the text (310000 keywords not in
 * content); WeCom refuses markdown over 4096 bytes (40058).
 */
export interface ServiceRules {
  service: 'dingtalk' | 'wecom' | 'slack' | 'teams';
  secret?: string;
  keyword?: string;
}

function judge(rules: ServiceRules, url: string, body: unknown, sentAt: number[], now: number) {
  const ok = SERVICE_ANSWERS[rules.service].ok;
  if (rules.service !== 'dingtalk' && rules.service !== 'wecom') return ok;
  const recent = sentAt.filter((t) => t > now - 60_000);
  if (recent.length >= 20) return SERVICE_ANSWERS[rules.service].tooFast;
  if (rules.service === 'wecom') {
    const content = (body as { markdown?: { content?: string } })?.markdown?.content;
    if (content !== undefined && Buffer.byteLength(content, 'utf8') > 4096)
      return SERVICE_ANSWERS.wecom.tooLong;
    return ok;
  }
  const query = new URL(url, 'http://x').searchParams;
  if (rules.secret) {
    const timestamp = query.get('timestamp') ?? '';
    const expected = createHmac('sha256', rules.secret)
      .update(`${timestamp}\n${rules.secret}`)
      .digest('base64');
    if (query.get('sign') !== expected) return SERVICE_ANSWERS.dingtalk.signMismatch;
  }
  if (rules.keyword && !JSON.stringify(body).includes(rules.keyword))
    return SERVICE_ANSWERS.dingtalk.keyword;
  return ok;
}

/**
 * A webhook receiver on loopback: records every POST; `failFirst` answers 500 to that many;
 * `redirectTo` answers every POST (recorded) with 307 to that URL; `script` answers the next
 * requests with these (one each, then the usual); `rules` answers as that service would.
 */
export async function startWebhookReceiver(
  options: {
    failFirst?: number;
    answer?: string;
    port?: number;
    redirectTo?: string;
    script?: ReceiverAnswer[];
    rules?: ServiceRules;
    now?: () => number;
  } = {},
) {
  const received: ReceivedRequest[] = [];
  const script = [...(options.script ?? [])];
  const now = options.now ?? Date.now;
  /** When messages the service took came (its rate window). */
  const taken: number[] = [];
  let failures = options.failFirst ?? 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failures > 0) {
        failures--;
        res.writeHead(500).end('try later');
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = undefined;
      }
      const at = now();
      let answer: ReceiverAnswer;
      if (options.redirectTo)
        answer = { status: 307, headers: { location: options.redirectTo }, body: '' };
      else if (script.length > 0) answer = script.shift()!;
      else if (options.rules) answer = judge(options.rules, req.url ?? '', parsed, taken, at);
      else
        answer = {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: options.answer ?? '{}',
        };
      if (answer.status < 300 && !/"errcode":[1-9]/.test(answer.body)) taken.push(at);
      received.push({
        url: req.url ?? '',
        headers: req.headers,
        body,
        json: parsed,
        at,
        answered: answer,
      });
      res.writeHead(answer.status, answer.headers ?? {}).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  header(name: string): string | undefined;
}

/** A real SMTP server on loopback (npm smtp-server), plain text, no auth unless `users` given. */
export async function startSmtpReceiver(options: { users?: Record<string, string> } = {}) {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: options.users ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    authOptional: !options.users,
    logger: false,
    onAuth(auth, _session, callback) {
      if (options.users && options.users[auth.username ?? ''] === auth.password)
        callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const [head] = raw.split(/\r?\n\r?\n/);
        // Unfold continuation lines (RFC 5322 2.2.3) before reading headers.
        const unfolded = (head ?? '').replace(/\r?\n[ \t]+/g, ' ');
        const header = (name: string) =>
          unfolded
            .split(/\r?\n/)
            .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
            ?.slice(name.length + 1)
            .trim();
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject: header('subject') ?? '',
          header,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
