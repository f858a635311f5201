import {
  closeSync,
  existsSync,
  ftruncateSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  readFileSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { SeqRange } from '@takt/protocol';
import type { Logger } from 'pino';
import { AckBook, type FrameRef } from './ack-book';
import { decodeSegment, encodeRecord, type QueuedRecord } from './framing';

export interface DiskQueueOptions {
  dir: string;
  /** The queue's size limit on disk; past it the overflow policy drops the oldest segment. */
  maxBytes: number;
  /** A segment is closed and a new one started past this size. */
  segmentBytes: number;
  /** `always`: fsync after every append; `interval`: at most every `fsyncIntervalMs`. */
  fsync: 'always' | 'interval';
  fsyncIntervalMs: number;
  log: Logger;
}

export interface QueueStats {
  pending: number;
  bytes: number;
  lost: number;
}

const LOST_FILE_BYTES = 48;
const SEGMENT = /^seg-(\d{12})\.q$/;
const segmentName = (index: number) => `seg-${String(index).padStart(12, '0')}.q`;

/**
 * The gateway's store-and-forward queue: append-only segment files of framed records
 * (framing.ts). A message leaves the disk only when ingest's ack covers it: a segment file
 * is deleted once none of its messages waits. Appends are one write per batch; a process
 * kill loses nothing written, a power cut at most what came since the last fsync.
 * Overflow policy `drop-oldest`: the oldest segment goes and its unacked messages are
 * counted in `lost` (kept in `lost.json`), never silently.
 */
export class DiskQueue {
  readonly book = new AckBook();
  private readonly segments = new Map<number, number>(); // index -> bytes on disk
  private active = 0;
  private fd: number | undefined;
  private lostCount = 0;
  private dirty = false;
  private fsyncTimer: NodeJS.Timeout | undefined;
  private lostFd: number | undefined;
  /** Read-only descriptors of the segments messages are read back from. */
  private readonly readers = new Map<number, number>();

  constructor(private readonly opts: DiskQueueOptions) {
    mkdirSync(opts.dir, { recursive: true });
    this.lostCount = this.readLost();
    this.writeLost(); // made now, while there is room: later it is only overwritten
    this.recover();
    this.openNewSegment();
    if (opts.fsync === 'interval') {
      this.fsyncTimer = setInterval(() => this.sync(), opts.fsyncIntervalMs);
      this.fsyncTimer.unref();
    }
  }

  stats(): QueueStats {
    let bytes = 0;
    for (const b of this.segments.values()) bytes += b;
    return { pending: this.book.pending, bytes, lost: this.lostCount };
  }

  /** Appends the records (in seq order) with one write; they are then on their way. */
  append(records: readonly QueuedRecord[]): void {
    if (records.length === 0) return;
    const frames = records.map(encodeRecord);
    const size = frames.reduce((n, f) => n + f.length, 0);
    if ((this.segments.get(this.active) ?? 0) + size > this.opts.segmentBytes) this.rotate();
    this.makeRoom(size);
    const data = Buffer.concat(frames, size);
    // The disk can be fuller than our limit allows for (a small SD card, other files): then
    // the same policy, drop-oldest, frees room; with nothing older left the batch is lost.
    while (!this.writeWhole(data)) {
      if (this.dropOldest('disk full (ENOSPC): dropped the oldest messages (drop-oldest)'))
        continue;
      if ((this.segments.get(this.active) ?? 0) > 0) {
        this.rotate(); // the segment being written is the oldest: start a new one, drop it next
        continue;
      }
      this.countLost(records.length, 'disk full (ENOSPC): messages not queued');
      return;
    }
    const start = this.segments.get(this.active) ?? 0;
    this.segments.set(this.active, start + size);
    let offset = start;
    records.forEach((r, i) => {
      const bytes = frames[i]!.length;
      this.book.add({ seq: r.seq, segment: this.active, offset, bytes });
      offset += bytes;
    });
    if (this.opts.fsync === 'always') fsyncSync(this.fd!);
    else this.dirty = true;
  }

  /** One write of `data` at the segment's end; false (and nothing written) when the disk is full. */
  private writeWhole(data: Buffer): boolean {
    const before = this.segments.get(this.active) ?? 0;
    let written = 0;
    try {
      while (written < data.length) written += writeSync(this.fd!, data, written);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      ftruncateSync(this.fd!, before); // cut the half-written batch off: no torn frame left behind
      return false;
    }
  }

  /** Ingest committed these seqs: forget them, delete segments left with nothing waiting. */
  ack(ranges: readonly SeqRange[]): number {
    const { acked, emptied, found } = this.book.ack(ranges);
    if (found > 0) {
      // Dropped on overflow while in flight, yet ingest stored them: not lost after all.
      this.lostCount -= found;
      this.persistLost();
    }
    for (const segment of emptied) if (segment !== this.active) this.deleteSegment(segment);
    return acked;
  }

  sync(): void {
    if (!this.dirty || this.fd === undefined) return;
    this.dirty = false;
    fsyncSync(this.fd);
  }

  close(): void {
    clearInterval(this.fsyncTimer);
    this.sync();
    if (this.fd !== undefined) closeSync(this.fd);
    if (this.lostFd !== undefined) closeSync(this.lostFd);
    for (const reader of this.readers.values()) closeSync(reader);
    this.readers.clear();
    this.fd = undefined;
    this.lostFd = undefined;
  }

  /** Reads every segment back in order; a torn last frame is cut off and logged. */
  private recover(): void {
    const indexes = readdirSync(this.opts.dir)
      .map((name) => SEGMENT.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    for (const index of indexes) {
      const file = join(this.opts.dir, segmentName(index));
      const data = readFileSync(file);
      const decoded = decodeSegment(data);
      if (decoded.tornReason) {
        this.opts.log.warn(
          { file, reason: decoded.tornReason, droppedBytes: data.length - decoded.validBytes },
          'queue segment had a torn tail (crash while writing); cut it off',
        );
        truncateSync(file, decoded.validBytes);
      }
      this.segments.set(index, decoded.validBytes);
      decoded.records.forEach((record, i) =>
        this.book.add({ seq: record.seq, segment: index, ...decoded.frames[i]! }),
      );
      if (this.book.unackedIn(index) === 0) this.deleteSegment(index);
      this.active = Math.max(this.active, index);
    }
    if (indexes.length > 0) {
      this.opts.log.info(
        { segments: this.segments.size, pending: this.book.pending },
        'disk queue recovered; re-sending what ingest has not acknowledged',
      );
    }
  }

  private openNewSegment(): void {
    this.active++;
    this.fd = openSync(join(this.opts.dir, segmentName(this.active)), 'a');
    this.segments.set(this.active, 0);
    // The new file's directory entry must survive a power cut too, not only its contents.
    const dirFd = openSync(this.opts.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }

  private rotate(): void {
    this.sync();
    closeSync(this.fd!);
    const old = this.active;
    this.openNewSegment();
    if (this.book.unackedIn(old) === 0) this.deleteSegment(old);
  }

  /** Overflow policy drop-oldest: free whole segments, oldest first, counting their losses. */
  private makeRoom(incoming: number): void {
    while (this.stats().bytes + incoming > this.opts.maxBytes) {
      if (!this.dropOldest('disk queue full: dropped the oldest messages (drop-oldest)')) break;
    }
  }

  /** Deletes the oldest segment (never the one being written); false when there is none. */
  private dropOldest(message: string): boolean {
    const oldest = Math.min(...this.segments.keys());
    if (oldest === this.active) return false;
    const lost = this.book.dropSegment(oldest);
    this.deleteSegment(oldest);
    if (lost > 0) this.countLost(lost, message);
    return true;
  }

  private countLost(lost: number, message: string): void {
    this.lostCount += lost;
    this.opts.log.error({ lost, lostTotal: this.lostCount, maxBytes: this.opts.maxBytes }, message);
    this.persistLost();
  }

  private persistLost(): void {
    try {
      this.writeLost();
    } catch (error) {
      this.opts.log.error({ err: (error as Error).message }, 'could not persist the loss count');
    }
  }

  /**
   * The next messages to send (AckBook.next), read back from their segments: with the OS's
   * page cache a just-written frame costs no disk read.
   */
  next(nowMs: number, max: number, window: number, ackTimeoutMs: number): QueuedRecord[] {
    return this.book.next(nowMs, max, window, ackTimeoutMs).map((ref) => this.read(ref));
  }

  /** The oldest message still waiting for an ack, read back from disk (edge-agent/src/health.ts). */
  oldestUnacked(): QueuedRecord | undefined {
    const ref = this.book.oldest();
    return ref ? this.read(ref) : undefined;
  }

  private read(ref: FrameRef): QueuedRecord {
    let fd = this.readers.get(ref.segment);
    if (fd === undefined) {
      fd = openSync(join(this.opts.dir, segmentName(ref.segment)), 'r');
      this.readers.set(ref.segment, fd);
    }
    const frame = Buffer.allocUnsafe(ref.bytes);
    const got = readSync(fd, frame, 0, ref.bytes, ref.offset);
    const record = decodeSegment(frame.subarray(0, got)).records[0];
    if (!record || record.seq !== ref.seq) {
      throw new Error(`queue segment ${ref.segment} changed under us at offset ${ref.offset}`);
    }
    return record;
  }

  private deleteSegment(index: number): void {
    const reader = this.readers.get(index);
    if (reader !== undefined) closeSync(reader);
    this.readers.delete(index);
    this.segments.delete(index);
    try {
      unlinkSync(join(this.opts.dir, segmentName(index)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  private readLost(): number {
    try {
      const value = (
        JSON.parse(readFileSync(join(this.opts.dir, 'lost.json'), 'utf8')) as {
          lost?: unknown;
        }
      ).lost;
      return typeof value === 'number' && Number.isSafeInteger(value) ? value : 0;
    } catch {
      return 0;
    }
  }

  /**
   * Overwrites the loss count in place, padded to a fixed size: on a full disk a rewrite of
   * existing bytes still succeeds where a new file would not (the file is made at start).
   */
  private writeLost(): void {
    const text = JSON.stringify({ lost: this.lostCount }).padEnd(LOST_FILE_BYTES, ' ');
    if (this.lostFd === undefined) {
      const file = join(this.opts.dir, 'lost.json');
      this.lostFd = openSync(file, existsSync(file) ? 'r+' : 'w+');
    }
    writeSync(this.lostFd, text, 0, 'utf8');
    fsyncSync(this.lostFd);
  }
}
