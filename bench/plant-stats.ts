/**
 * Pure figures for the plant bench (bench/plant.ts): a latency histogram of whole
 * milliseconds that holds millions of samples in a fixed 240 kB, and percentiles of a list.
 */

/** Percentile `p` (0–100) of `sorted` (ascending), nearest rank; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Latencies in whole ms, 0 … `maxMs` (longer ones count as `maxMs`), for p50/p99 of a run. */
export class LatencyHistogram {
  private readonly buckets: Uint32Array;
  private total = 0;
  private max = 0;

  constructor(private readonly maxMs = 60_000) {
    this.buckets = new Uint32Array(maxMs + 1);
  }

  add(ms: number): void {
    const i = Math.min(this.maxMs, Math.max(0, Math.round(ms)));
    this.buckets[i]! += 1;
    this.total += 1;
    if (i > this.max) this.max = i;
  }

  get count(): number {
    return this.total;
  }

  /** Nearest-rank percentile in ms, null without samples. */
  percentile(p: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i <= this.max; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return i;
    }
    return this.max;
  }

  /** The samples of `other` added to this one (both of the same `maxMs`). */
  merge(other: LatencyHistogram): void {
    other.buckets.forEach((n, i) => {
      if (n > 0) {
        this.buckets[i]! += n;
        if (i > this.max) this.max = i;
      }
    });
    this.total += other.total;
  }

  /** Sparse form for IPC: [ms, count] pairs. */
  toPairs(): [number, number][] {
    const pairs: [number, number][] = [];
    for (let i = 0; i <= this.max; i++) if (this.buckets[i]! > 0) pairs.push([i, this.buckets[i]!]);
    return pairs;
  }

  static fromPairs(
    pairs: readonly (readonly [number, number])[],
    maxMs = 60_000,
  ): LatencyHistogram {
    const h = new LatencyHistogram(maxMs);
    for (const [ms, n] of pairs) {
      const i = Math.min(maxMs, ms);
      h.buckets[i]! += n;
      h.total += n;
      if (i > h.max) h.max = i;
    }
    return h;
  }

  reset(): void {
    this.buckets.fill(0);
    this.total = 0;
    this.max = 0;
  }
}

/** PostgreSQL's WAL counters (pg_stat_wal, pg_stat_checkpointer: PostgreSQL 17 and later). */
export interface WalCounters {
  atMs: number;
  bytes: number;
  fullPageImages: number;
  checkpoints: number;
}

export async function walCounters(pool: {
  query: (sql: string) => Promise<{ rows: Record<string, unknown>[] }>;
}): Promise<WalCounters> {
  const { rows } = await pool.query(
    `SELECT w.wal_bytes::float8 AS bytes, w.wal_fpi::float8 AS fpi,
            (c.num_timed + c.num_requested)::float8 AS checkpoints
       FROM pg_stat_wal w, pg_stat_checkpointer c`,
  );
  const row = rows[0]!;
  return {
    atMs: Date.now(),
    bytes: Number(row.bytes),
    fullPageImages: Number(row.fpi),
    checkpoints: Number(row.checkpoints),
  };
}

/** WAL written per second and checkpoints between two readings (docs/deployment.md "Sizing"). */
export function walFigures(from: WalCounters, to: WalCounters) {
  const s = Math.max(0.001, (to.atMs - from.atMs) / 1000);
  return {
    mbPerSec: Math.round(((to.bytes - from.bytes) / s / 1e6) * 100) / 100,
    fullPageImagesPerSec: Math.round((to.fullPageImages - from.fullPageImages) / s),
    checkpoints: to.checkpoints - from.checkpoints,
  };
}
