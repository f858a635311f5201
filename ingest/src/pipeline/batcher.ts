import type { Logger } from 'pino';

export interface BatcherOptions<T> {
  /** Flush when this many items wait… */
  maxItems: number;
  /** …or when the oldest has waited this long. */
  maxDelayMs: number;
  flush: (items: T[]) => Promise<void>;
  log: Logger;
  /** Wait before retrying a failed flush (the database may be restarting). */
  retryDelayMs?: number;
}

/**
 * Collects items and hands them to `flush` in batches, one flush at a time (docs/decisions.md
 * "Measured on these machines": a row per round trip is 3k rows/s, a batch 110k+). A failed flush keeps its
 * items at the head and retries: nothing is dropped while the database is away.
 */
export class Batcher<T> {
  private pending: T[] = [];
  /** When each pending item arrived (Date.now()), in the same order. */
  private arrivals: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: BatcherOptions<T>) {}

  get size(): number {
    return this.pending.length;
  }

  push(item: T): void {
    this.pending.push(item);
    this.arrivals.push(Date.now());
    this.kick();
  }

  /**
   * Arms the flush for when the batch is full or its oldest item is `maxDelayMs` old. The
   * age counts from arrival, not from the end of the previous flush: items that came in
   * during a flush wait no longer for it (and under load flushes run back to back).
   */
  private kick(): void {
    if (this.flushing || this.stopped || this.pending.length === 0) return;
    const delayMs =
      this.pending.length >= this.opts.maxItems
        ? 0
        : Math.max(0, this.arrivals[0]! + this.opts.maxDelayMs - Date.now());
    if (this.timer && delayMs > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushOnce().finally(() => {
        this.flushing = undefined;
        this.kick();
      });
    }, delayMs);
  }

  private async flushOnce(): Promise<void> {
    const items = this.pending.splice(0, this.opts.maxItems);
    const arrivals = this.arrivals.splice(0, items.length);
    if (items.length === 0) return;
    try {
      await this.opts.flush(items);
    } catch (error) {
      this.pending.unshift(...items);
      this.arrivals.unshift(...arrivals);
      this.opts.log.error(
        { err: (error as Error).message, waiting: this.pending.length },
        'batch write failed; retrying',
      );
      await new Promise((r) => setTimeout(r, this.opts.retryDelayMs ?? 1000));
    }
  }

  /** Flush everything still waiting (bounded by `timeoutMs`), then stop. */
  async drain(timeoutMs = 5000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    // No timer may start another flush beside the ones drain runs (one flush at a time).
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (Date.now() < deadline) {
      if (this.flushing)
        await Promise.race([
          this.flushing,
          new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()))),
        ]);
      else if (this.pending.length > 0)
        await (this.flushing = this.flushOnce().finally(() => (this.flushing = undefined)));
      else break;
    }
    return this.pending.length;
  }
}
