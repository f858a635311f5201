import type { AclDecision } from './acl';

/**
 * Reads MQTT fixed headers off a byte stream without buffering it, so that a packet larger
 * than the limit is refused at its header, before the parser has kept any of it
 * (mqtt-packet buffers a whole packet, up to the protocol's 256 MB).
 * Fixed header: one type byte, then the remaining length as a variable byte integer of at
 * most four bytes [MQTT-2.2.3].
 */
export class MqttFrameMeter {
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;

  constructor(private readonly maxPacketBytes: number) {}

  /** undefined while the stream is acceptable; otherwise why it is not. */
  feed(chunk: Uint8Array): string | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'type') {
        i++;
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
      } else if (this.state === 'length') {
        const byte = chunk[i++]!;
        this.length += (byte & 0x7f) * this.multiplier;
        this.multiplier *= 128;
        this.lengthBytes++;
        if (byte & 0x80) {
          if (this.lengthBytes === 4) return 'malformed remaining length (more than 4 bytes)';
          continue;
        }
        if (this.length > this.maxPacketBytes)
          return `packet of ${this.length} bytes exceeds the limit of ${this.maxPacketBytes}`;
        this.remaining = this.length;
        this.state = this.remaining === 0 ? 'type' : 'body';
      } else {
        const take = Math.min(this.remaining, chunk.length - i);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'type';
      }
    }
    return undefined;
  }
}

export interface ConnectionLimits {
  /** New connections accepted from one address per window. */
  perWindow: number;
  windowMs: number;
  /** Open connections at once from one address. */
  concurrent: number;
}

interface AddressState {
  windowStart: number;
  inWindow: number;
  open: number;
  refused: number;
}

/**
 * Per-address connection limits, checked when a socket is accepted (before any MQTT
 * parsing or password hashing, which costs ~30 ms of CPU per CONNECT).
 */
export class ConnectionLimiter {
  private readonly addresses = new Map<string, AddressState>();

  constructor(private readonly limits: ConnectionLimits) {}

  /** On accept. A refused connection is not counted as open. */
  accept(address: string, now = Date.now()): AclDecision & { firstRefusal?: boolean } {
    let s = this.addresses.get(address);
    if (!s) {
      if (this.addresses.size > 10_000) this.sweep(now);
      s = { windowStart: now, inWindow: 0, open: 0, refused: 0 };
      this.addresses.set(address, s);
    }
    if (now - s.windowStart >= this.limits.windowMs) {
      s.windowStart = now;
      s.inWindow = 0;
      s.refused = 0;
    }
    const reason =
      s.open >= this.limits.concurrent
        ? `${s.open} connections already open from this address`
        : s.inWindow >= this.limits.perWindow
          ? `more than ${this.limits.perWindow} connections in ${this.limits.windowMs} ms`
          : undefined;
    if (reason) {
      s.refused++;
      return { ok: false, reason, firstRefusal: s.refused === 1 };
    }
    s.inWindow++;
    s.open++;
    return { ok: true };
  }

  release(address: string): void {
    const s = this.addresses.get(address);
    if (s) s.open = Math.max(0, s.open - 1);
  }

  private sweep(now: number): void {
    for (const [address, s] of this.addresses) {
      if (s.open === 0 && now - s.windowStart >= this.limits.windowMs)
        this.addresses.delete(address);
    }
  }
}
