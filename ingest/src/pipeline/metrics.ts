import type { IngestItem } from './items';

/** What the writer has done lately: for `GET /api/ingest/metrics` and the health output. */
export interface WriterMetricsSnapshot {
  /** Rows (readings, states, counts, scans, dead letters) stored per second, last 10 s. */
  rowsPerSec: number;
  /** Batch write latency over the last 60 s (milliseconds). */
  batchLatencyMs: { p50: number | null; p99: number | null; max: number | null };
  batchesLastMinute: number;
  /** Items waiting for the writer now. */
  queueDepth: number;
  rowsTotal: number;
  batchesTotal: number;
  failedBatchesTotal: number;
  lastBatchAt: string | null;
}

const WINDOW_MS = 60_000;
const RATE_WINDOW_MS = 10_000;

/** Rows an item stands for: a metrics message holds many readings. */
export function itemRows(item: IngestItem): number {
  return item.kind === 'message' && item.message.kind === 'metrics'
    ? item.message.payload.readings.length
    : 1;
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Counters and a 60-second window of batches; `queueDepth` reads whatever queue feeds the writer. */
export class WriterMetrics {
  private recent: { at: number; rows: number; ms: number }[] = [];
  private rowsTotal = 0;
  private batchesTotal = 0;
  private failed = 0;

  constructor(public queueDepth: () => number = () => 0) {}

  recordBatch(items: readonly IngestItem[], ms: number, now = Date.now()): void {
    const rows = items.reduce((n, item) => n + itemRows(item), 0);
    this.recent.push({ at: now, rows, ms });
    this.rowsTotal += rows;
    this.batchesTotal += 1;
    this.trim(now);
  }

  recordFailure(): void {
    this.failed += 1;
  }

  private trim(now: number): void {
    const first = this.recent.findIndex((b) => b.at > now - WINDOW_MS);
    this.recent = first < 0 ? [] : this.recent.slice(first);
  }

  snapshot(now = Date.now()): WriterMetricsSnapshot {
    this.trim(now);
    const latencies = this.recent.map((b) => b.ms).sort((a, b) => a - b);
    const rateRows = this.recent
      .filter((b) => b.at > now - RATE_WINDOW_MS)
      .reduce((n, b) => n + b.rows, 0);
    const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
    const last = this.recent.at(-1);
    return {
      rowsPerSec: Math.round(rateRows / (RATE_WINDOW_MS / 1000)),
      batchLatencyMs: {
        p50: round(percentile(latencies, 50)),
        p99: round(percentile(latencies, 99)),
        max: round(latencies.at(-1) ?? null),
      },
      batchesLastMinute: this.recent.length,
      queueDepth: this.queueDepth(),
      rowsTotal: this.rowsTotal,
      batchesTotal: this.batchesTotal,
      failedBatchesTotal: this.failed,
      lastBatchAt: last ? new Date(last.at).toISOString() : null,
    };
  }
}
