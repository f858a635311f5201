import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The message sequence number of one Sparkplug session: 0 on the NBIRTH, then one more on
 * every message after it, wrapping 255 → 0 (Sparkplug 3.0
 * tck-id-message-flow-edge-node-birth-publish-nbirth-payload-seq).
 */
export class SparkplugSeq {
  private value = 0;

  /** The NBIRTH's number (0); the count starts again from it. */
  birth(): number {
    this.value = 0;
    return 0;
  }

  /** The next message's number. */
  next(): number {
    this.value = (this.value + 1) % 256;
    return this.value;
  }
}

/**
 * The birth/death sequence number (bdSeq): one more on every MQTT CONNECT, 255 → 0, carried
 * by the CONNECT's will (NDEATH) and by the NBIRTH of that session (Sparkplug 3.0
 * tck-id-message-flow-edge-node-birth-publish-will-message-payload-bdSeq). Kept in the state
 * folder, so that after a restart the host does not take the new session's NBIRTH for the old
 * NDEATH's pair. A write that fails is reported and not fatal: the number still moves on in
 * memory, and only a restart right after it could repeat a bdSeq.
 */
export class BdSeqStore {
  private readonly file: string;
  private current: number;

  constructor(
    dir: string,
    private readonly onWriteError: (message: string) => void,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'sparkplug-bdseq.json');
    let last = -1;
    try {
      const parsed = (JSON.parse(readFileSync(this.file, 'utf8')) as { bdSeq?: unknown }).bdSeq;
      if (typeof parsed === 'number' && Number.isInteger(parsed) && parsed >= 0 && parsed <= 255)
        last = parsed;
    } catch {
      // no file yet (first start) or unreadable: start at 0
    }
    this.current = last;
    this.advance();
  }

  /** The bdSeq of the CONNECT about to be made (and of its NBIRTH). */
  get value(): number {
    return this.current;
  }

  /** Moves to the next CONNECT's number and keeps it. */
  advance(): number {
    this.current = (this.current + 1) % 256;
    const tmp = `${this.file}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify({ bdSeq: this.current }));
      renameSync(tmp, this.file);
    } catch (error) {
      this.onWriteError((error as Error).message);
    }
    return this.current;
  }
}
