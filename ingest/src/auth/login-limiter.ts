/**
 * Failed logins per client address in a sliding window (issue 9: rate limits on login).
 * A success does not reset the count: guessing between one's own logins stays limited.
 * In memory, per ingest instance: several instances each allow `maxFailures`.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until this address may try again; 0 when it may now. */
  retryAfterMs(address: string): number {
    const recent = this.recent(address);
    if (recent.length < this.maxFailures) return 0;
    return recent[recent.length - this.maxFailures]! + this.windowMs - this.now();
  }

  fail(address: string): void {
    const recent = this.recent(address);
    recent.push(this.now());
    this.failures.set(address, recent);
    if (this.failures.size > 10_000) this.prune();
  }

  private recent(address: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.failures.get(address) ?? []).filter((t) => t > since);
  }

  private prune(): void {
    for (const address of [...this.failures.keys()]) {
      const recent = this.recent(address);
      if (recent.length === 0) this.failures.delete(address);
      else this.failures.set(address, recent);
    }
  }
}
