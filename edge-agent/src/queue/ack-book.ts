import type { SeqRange } from '@takt/protocol';

/** Where a queued message's frame is on disk: its payload is read back only to send it. */
export interface FrameRef {
  seq: number;
  segment: number;
  /** Byte offset of the frame in its segment, and the frame's length. */
  offset: number;
  bytes: number;
}

interface Entry extends FrameRef {
  /** The send round it was last sent in, and when; 0 = not sent yet. */
  round: number;
  sentAt: number;
}

/**
 * Which queued messages still wait for ingest's ack, and which to send next (pure: no I/O;
 * it keeps where each frame is, not its payload, so memory stays small with a long backlog).
 * Sending goes strictly in seq order. A round starts on every (re)connect and whenever the
 * oldest message sent waited `ackTimeoutMs` without an ack: the round re-sends everything
 * unacknowledged from the oldest on (ingest's (gateway, seq) dedupe drops what it has).
 */
export class AckBook {
  private readonly entries = new Map<number, Entry>();
  /** Seqs in send order; acked ones stay until the head passes them. */
  private order: number[] = [];
  private head = 0;
  private cursor = 0;
  private round = 1;
  private readonly perSegment = new Map<number, number>();
  /**
   * Dropped by the overflow policy after they were sent: counted lost, but ingest may still
   * have stored them; an ack that covers one takes it back off the loss count.
   */
  private readonly limbo = new Set<number>();
  private pendingBytes = 0;

  get pending(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.pendingBytes;
  }

  /** The oldest message still waiting for an ack (entries are kept in seq order). */
  oldest(): FrameRef | undefined {
    for (const entry of this.entries.values()) return entry;
    return undefined;
  }

  /** Unacked messages kept in `segment`. */
  unackedIn(segment: number): number {
    return this.perSegment.get(segment) ?? 0;
  }

  add(ref: FrameRef): void {
    if (this.entries.has(ref.seq)) return; // a replayed segment holding a seq twice
    if (this.order.length > 0 && ref.seq < this.order[this.order.length - 1]!) {
      throw new Error(`seq ${ref.seq} queued after a higher one: send order would break`);
    }
    this.entries.set(ref.seq, { ...ref, round: 0, sentAt: 0 });
    this.order.push(ref.seq);
    this.perSegment.set(ref.segment, this.unackedIn(ref.segment) + 1);
    this.pendingBytes += ref.bytes;
  }

  /**
   * Removes every entry `ranges` covers; returns the segments left with none unacked, and how
   * many messages counted lost turned out to be stored after all.
   */
  ack(ranges: readonly SeqRange[]): { acked: number; emptied: number[]; found: number } {
    let acked = 0;
    let found = 0;
    const touched = new Set<number>();
    for (const [from, to] of ranges) {
      if (this.limbo.size > 0) {
        for (const seq of [...this.limbo])
          if (seq >= from && seq <= to) {
            this.limbo.delete(seq);
            found++;
          }
      }
      if (to - from + 1 <= this.entries.size) {
        for (let seq = from; seq <= to; seq++) acked += this.remove(seq, touched);
      } else {
        for (const seq of [...this.entries.keys()])
          if (seq >= from && seq <= to) acked += this.remove(seq, touched);
      }
    }
    this.advanceHead();
    return { acked, emptied: [...touched].filter((s) => this.unackedIn(s) === 0), found };
  }

  /** Drops every entry of `segment` (overflow); returns how many were unacked. */
  dropSegment(segment: number): number {
    let dropped = 0;
    for (const entry of [...this.entries.values()]) {
      if (entry.segment !== segment) continue;
      dropped += this.remove(entry.seq, new Set());
      if (entry.round > 0) this.limbo.add(entry.seq);
    }
    // Bounded: past this, a very old send is taken as lost for good.
    if (this.limbo.size > 100_000) this.limbo.clear();
    this.perSegment.delete(segment);
    this.advanceHead();
    return dropped;
  }

  private remove(seq: number, touched: Set<number>): number {
    const entry = this.entries.get(seq);
    if (!entry) return 0;
    this.entries.delete(seq);
    this.pendingBytes -= entry.bytes;
    const left = this.unackedIn(entry.segment) - 1;
    if (left > 0) this.perSegment.set(entry.segment, left);
    else this.perSegment.delete(entry.segment);
    touched.add(entry.segment);
    return 1;
  }

  private advanceHead(): void {
    while (this.head < this.order.length && !this.entries.has(this.order[this.head]!)) this.head++;
    if (this.cursor < this.head) this.cursor = this.head;
    if (this.head > 4096 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.cursor -= this.head;
      this.head = 0;
    }
  }

  /** Start a new round from the oldest unacked message (after a reconnect). */
  restart(): void {
    this.round++;
    this.cursor = this.head;
  }

  /** Sent in this round and not acked yet. */
  inflight(): number {
    let n = 0;
    for (let i = this.head; i < this.cursor; i++) if (this.entries.has(this.order[i]!)) n++;
    return n;
  }

  /**
   * The next messages to send now, at most `max`, keeping at most `window` unacked in
   * flight; starts a new round first when the oldest in flight timed out.
   */
  next(nowMs: number, max: number, window: number, ackTimeoutMs: number): FrameRef[] {
    const oldest = this.entries.get(this.order[this.head]!);
    if (oldest && oldest.round === this.round && nowMs - oldest.sentAt > ackTimeoutMs) {
      this.restart();
    }
    let room = window - this.inflightUpTo(window);
    const out: FrameRef[] = [];
    while (out.length < max && room > 0 && this.cursor < this.order.length) {
      const entry = this.entries.get(this.order[this.cursor++]!);
      if (!entry) continue;
      entry.round = this.round;
      entry.sentAt = nowMs;
      out.push({
        seq: entry.seq,
        segment: entry.segment,
        offset: entry.offset,
        bytes: entry.bytes,
      });
      room--;
    }
    return out;
  }

  /** `inflight()`, but stops counting at `limit` (it runs on every pump). */
  private inflightUpTo(limit: number): number {
    let n = 0;
    for (let i = this.head; i < this.cursor && n < limit; i++)
      if (this.entries.has(this.order[i]!)) n++;
    return n;
  }
}
