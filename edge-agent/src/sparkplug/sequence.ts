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
 * tck-id-message-flow-edge-node-birth-publish-will-message-payload-bdSeq). The number of each
 * session that came up is kept in the state folder, so that after a restart the host does not
 * take the new session's NBIRTH for the old NDEATH's pair. Attempts that never connected move
 * it on in memory only: no write every 2 s to an SD card while the broker is away. A file that
 * cannot be read or written is reported and not fatal.
 */
export class BdSeqStore {
  private readonly file: string;
  private current: number;

  constructor(
    dir: string,
    private readonly onError: (message: string) => void,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'sparkplug-bdseq.json');
    let last = -1;
    try {
      const parsed = (JSON.parse(readFileSync(this.file, 'utf8')) as { bdSeq?: unknown }).bdSeq;
      if (typeof parsed === 'number' && Number.isInteger(parsed) && parsed >= 0 && parsed <= 255)
        last = parsed;
      else onError(`${this.file} holds no bdSeq 0-255; starting at 0`);
    } catch (error) {
      // No file: the first start. Anything else is worth a line in the log.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        onError(`${this.file}: ${(error as Error).message}; starting at 0`);
    }
    this.current = (last + 1) % 256;
  }

  /** The bdSeq of the CONNECT about to be made (and of its NBIRTH). */
  get value(): number {
    return this.current;
  }

  /** Moves to the next CONNECT's number (after a session ended or an attempt failed). */
  advance(): number {
    this.current = (this.current + 1) % 256;
    return this.current;
  }

  /** Keeps the number of the session that just came up. */
  save(): void {
    const tmp = `${this.file}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify({ bdSeq: this.current }));
      renameSync(tmp, this.file); // atomic: the old number or the new, never half
    } catch (error) {
      this.onError((error as Error).message);
    }
  }
}
