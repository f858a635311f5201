const CR = 0x0d;
const LF = 0x0a;

/** A line as it came off the wire, or the mark of one too long to keep. */
export type RawLine = { kind: 'line'; bytes: Buffer } | { kind: 'too-long' };

/**
 * Splits a serial byte stream into lines at CR, LF or CRLF, because scanners differ in the
 * suffix they send. It works on bytes, not text, so that invalid UTF-8 is still visible to
 * the parser (a string decoder would turn it into U+FFFD). CR and LF never occur inside a
 * multi-byte UTF-8 sequence, so splitting bytes is safe. The empty segment between CR and
 * LF is not a line.
 *
 * A line longer than `maxLineBytes` is not buffered any further (noise on a line with no
 * terminator would otherwise grow without bound): the rest of it up to the next terminator
 * is discarded and it comes out as `too-long`.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private overflowed = false;

  constructor(private readonly maxLineBytes: number) {}

  /** True while part of a line has arrived without its terminator. */
  get pending(): boolean {
    return this.size > 0 || this.overflowed;
  }

  push(chunk: Buffer): RawLine[] {
    const lines: RawLine[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte !== CR && byte !== LF) continue;
      this.append(chunk.subarray(start, i));
      const line = this.take();
      if (line) lines.push(line);
      start = i + 1;
    }
    this.append(chunk.subarray(start));
    return lines;
  }

  /** Forgets a partial line; true if there was one. */
  discardPartial(): boolean {
    const had = this.pending;
    this.reset();
    return had;
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0 || this.overflowed) return;
    if (this.size + bytes.length > this.maxLineBytes) {
      this.reset();
      this.overflowed = true;
      return;
    }
    // A copy: the chunk's memory may be reused by the stream once this returns.
    this.parts.push(Buffer.from(bytes));
    this.size += bytes.length;
  }

  private take(): RawLine | undefined {
    if (this.overflowed) {
      this.reset();
      return { kind: 'too-long' };
    }
    if (this.size === 0) return undefined;
    const bytes = Buffer.concat(this.parts, this.size);
    this.reset();
    return { kind: 'line', bytes };
  }

  private reset(): void {
    this.parts = [];
    this.size = 0;
    this.overflowed = false;
  }
}
