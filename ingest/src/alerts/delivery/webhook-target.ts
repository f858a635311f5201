import { lookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { covers, parseAddressList, type AddressList } from '../../auth/address-list';

/**
 * Where a webhook may point (docs/decisions.md "Issue 18 — logins, sockets, channels and
 * delivery"): not loopback, link-local, private, shared or multicast addresses, unless
 * TAKT_WEBHOOK_ALLOW lists them. Every address the host resolves to is checked when the
 * connection is made (the lookup of that very connection, so a name cannot resolve to a
 * public address for a check and a private one for the request), and redirects are not
 * followed: a 3xx is a failed delivery.
 */
const RANGES: [string, [string, number, 'ipv4' | 'ipv6'][]][] = [
  [
    'loopback',
    [
      ['127.0.0.0', 8, 'ipv4'],
      ['::1', 128, 'ipv6'],
    ],
  ],
  [
    'unspecified',
    [
      ['0.0.0.0', 8, 'ipv4'],
      ['::', 128, 'ipv6'],
    ],
  ],
  [
    'link-local',
    [
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ],
  ],
  [
    'private',
    [
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
      ['fc00::', 7, 'ipv6'],
    ],
  ],
  ['shared (carrier NAT)', [['100.64.0.0', 10, 'ipv4']]],
  [
    'reserved',
    [
      ['192.0.0.0', 24, 'ipv4'],
      ['198.18.0.0', 15, 'ipv4'],
      ['240.0.0.0', 4, 'ipv4'],
    ],
  ],
  [
    'multicast',
    [
      ['224.0.0.0', 4, 'ipv4'],
      ['ff00::', 8, 'ipv6'],
    ],
  ],
];
const BLOCKED = RANGES.map(([name, subnets]) => {
  const list = new BlockList();
  for (const [net, prefix, family] of subnets) list.addSubnet(net, prefix, family);
  return [name, list] as const;
});

export const WEBHOOK_ALLOW_ENV = 'TAKT_WEBHOOK_ALLOW';

export function webhookAllowList(env: NodeJS.ProcessEnv): AddressList | undefined {
  const value = env[WEBHOOK_ALLOW_ENV];
  return value ? parseAddressList(WEBHOOK_ALLOW_ENV, value) : undefined;
}

/** Why a webhook may not connect to this address, or undefined. */
export function blockedAddress(
  address: string,
  allow: AddressList | undefined,
): string | undefined {
  if (allow?.has(address)) return undefined;
  const hit = BLOCKED.find(([, list]) => covers(list, address));
  return hit
    ? `${address} is a ${hit[0]} address; webhooks go there only when ${WEBHOOK_ALLOW_ENV} lists it`
    : undefined;
}

/** dns.lookup that fails the connection when any address of the host is refused. */
function guardedLookup(allow: AddressList | undefined): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true } as LookupAllOptions, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as LookupAddress[];
      const refused = list.map((a) => blockedAddress(a.address, allow)).find(Boolean);
      if (refused) return callback(new Error(`${hostname} resolves to ${refused}`), '', 0);
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

export interface WebhookAnswer {
  status: number;
  location: string | undefined;
  /** Retry-After of a 429 (seconds or an HTTP date). */
  retryAfter: string | undefined;
  body: string;
}

const MAX_ANSWER_BYTES = 64 * 1024;

/** One POST, no redirects followed, the target checked as above; the answer's first 64 kB. */
export function postWebhook(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  allow: AddressList | undefined,
): Promise<WebhookAnswer> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  // An address written in the URL is never looked up: checked here instead.
  const literal = isIP(host) ? blockedAddress(host, allow) : undefined;
  if (literal) return Promise.reject(new Error(literal));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: guardedLookup(allow),
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_ANSWER_BYTES) chunks.push(c);
          size += c.length;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            retryAfter: res.headers['retry-after'],
            body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER_BYTES),
          }),
        );
        res.on('error', reject);
      },
    );
    // The whole exchange within timeoutMs, not each idle gap.
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(body);
  });
}
