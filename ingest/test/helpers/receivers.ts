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
}

/**
 * A webhook receiver on loopback: records every POST; `failFirst` answers 500 to that many;
 * `redirectTo` answers every POST (recorded) with 307 to that URL.
 */
export async function startWebhookReceiver(
  options: { failFirst?: number; answer?: string; port?: number; redirectTo?: string } = {},
) {
  const received: ReceivedRequest[] = [];
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
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      received.push({ url: req.url ?? '', headers: req.headers, body, json });
      if (options.redirectTo) {
        res.writeHead(307, { location: options.redirectTo }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(options.answer ?? '{}');
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
