import {
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
  openSync,
  fsyncSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';
import { EDGE_ERRORS, EdgeError } from './errors';

/**
 * The gateway's message counter, persisted across restarts without an fsync per message:
 * blocks of `blockSize` numbers are reserved on disk ahead of use (like a database
 * sequence cache). A crash skips the rest of a block, never repeats a number, so ingest's
 * (gateway, seq) dedupe can never drop a new message as a duplicate.
 */
export class SeqStore {
  private next: number;
  private reservedUpTo: number;
  private readonly file: string;

  constructor(
    dir: string,
    private readonly blockSize = 1000,
  ) {
    this.file = join(dir, 'seq.json');
    try {
      mkdirSync(dir, { recursive: true });
      this.next = SeqStore.readReserved(this.file);
    } catch (error) {
      throw new EdgeError(
        'EDGE_ERR_STATE_DIR',
        EDGE_ERRORS.EDGE_ERR_STATE_DIR(dir, (error as Error).message),
      );
    }
    this.reservedUpTo = this.next;
  }

  private static readReserved(file: string): number {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      // No file (first start, or a new SD card): start from the clock in microseconds, so that
      // a gateway that lost its state still counts above every seq ingest has seen from it
      // (else its new messages would be dropped as duplicates). Stays under 2^53 until 2255.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Date.now() * 1000;
      throw error;
    }
    const value = (JSON.parse(text) as { reservedUpTo?: unknown }).reservedUpTo;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new Error(`${file} is corrupt: reservedUpTo=${String(value)}`);
    }
    return value;
  }

  /** The next seq; reserves (and fsyncs) a new block when the current one is used up. */
  take(): number {
    if (this.next >= this.reservedUpTo) this.reserve(this.next + this.blockSize);
    return this.next++;
  }

  private reserve(upTo: number): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ reservedUpTo: upTo }));
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file); // atomic on POSIX: the file is the old or the new block, never half
    this.reservedUpTo = upTo;
  }
}
