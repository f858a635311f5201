/**
 * A computed answer shared by every screen that asks (docs/decisions.md "Issue 22 — the shift
 * board computed ahead"): fresher than `freshMs`, it is served as is; older but within
 * `staleMs`, it is still served at once while one new computation runs in the background and
 * replaces it when it succeeds; older than that (or never made), the asker waits for a new
 * one. A failed computation is never kept: the entry it would have replaced stays (within
 * `staleMs`), or the next asker tries again.
 */
export class RefreshAhead<T> {
  private readonly entries = new Map<
    string,
    { at: number; body: Promise<T>; refreshing?: boolean | undefined }
  >();

  constructor(
    private readonly options: {
      freshMs: number;
      staleMs: number;
      now?: () => number;
    },
  ) {}

  get(key: string, compute: (now: number) => Promise<T>): Promise<T> {
    const now = (this.options.now ?? Date.now)();
    const hit = this.entries.get(key);
    const age = hit ? now - hit.at : Infinity;
    if (hit && age < this.options.freshMs) return hit.body;
    if (hit && age < this.options.staleMs) {
      if (!hit.refreshing) {
        hit.refreshing = true;
        compute(now).then(
          (value) => this.entries.set(key, { at: now, body: Promise.resolve(value) }),
          () => (hit.refreshing = false), // the next asker tries again
        );
      }
      return hit.body;
    }
    const body = compute(now);
    const entry = { at: now, body };
    this.entries.set(key, entry);
    body.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return body;
  }
}
