import { BlockList, isIP } from 'node:net';

/**
 * A list of addresses and CIDR ranges from an environment variable (`10.0.0.2,10.1.0.0/16`,
 * IPv4 or IPv6), for the proxies ingest trusts (TAKT_TRUST_PROXY) and the private webhook
 * targets it may call (TAKT_WEBHOOK_ALLOW). A wrong entry fails the start, naming the variable.
 */
export interface AddressList {
  /** The entries as written (fastify's trustProxy takes them as they are). */
  readonly entries: readonly string[];
  has(address: string): boolean;
}

export function parseAddressList(variable: string, value: string): AddressList {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 6 ? 128 : 32;
    const prefix = bits === undefined ? maxBits : Number(bits);
    if (
      family === 0 ||
      extra !== undefined ||
      !Number.isInteger(prefix) ||
      prefix < 0 ||
      prefix > maxBits ||
      (bits !== undefined && !/^\d+$/.test(bits))
    )
      throw new Error(
        `${variable}: "${entry}" is not an IP address or a CIDR range (e.g. 10.0.0.2 or 10.1.0.0/16)`,
      );
    list.addSubnet(address!, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return { entries, has: (address) => covers(list, address) };
}

/** Whether `address` (IPv4, IPv6, or IPv4 mapped into IPv6) is in `list`. */
export function covers(list: BlockList, address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return list.check(mapped[1]!, 'ipv4');
  return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** Behind a reverse proxy: trust that many hops, or those proxies; never every hop. */
export type TrustProxy = false | number | readonly string[];

/**
 * TAKT_TRUST_PROXY: empty or `false` (no proxy), a hop count (`1`: the proxy in front of
 * ingest), or the proxies' addresses and ranges. `true` (every hop, so any client could name
 * its own address in X-Forwarded-For) is refused with what to write instead.
 */
export function parseTrustProxy(variable: string, value: string | undefined): TrustProxy {
  const v = (value ?? '').trim();
  if (v === '' || v === 'false' || v === '0') return false;
  if (v === 'true')
    throw new Error(
      `${variable}=true would trust every hop (a client could set its own address in X-Forwarded-For): ` +
        `give the number of proxies in front of ingest (${variable}=1) or their addresses (${variable}=10.0.0.2,10.1.0.0/16)`,
    );
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > 10)
      throw new Error(`${variable}: ${hops} hops is more than any deployment has (1–10)`);
    return hops;
  }
  return parseAddressList(variable, v).entries;
}
