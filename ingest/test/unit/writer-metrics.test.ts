import { describe, expect, it } from 'vitest';
import type { IngestItem } from '../../src/pipeline/items';
import { WriterMetrics } from '../../src/pipeline/metrics';

const metricsItem = (readings: number): IngestItem => ({
  kind: 'message',
  message: {
    site: 's',
    gatewayId: 'g',
    machineId: 'm',
    kind: 'metrics',
    payload: {
      v: 1,
      seq: 1,
      ts: 0,
      readings: Array.from({ length: readings }, (_, i) => ({
        tag: `t${i}`,
        value: i,
        ts: 0,
        quality: 'good' as const,
      })),
    },
  },
});
const dead: IngestItem = { kind: 'dead', topic: 't', payload: Buffer.from('x'), reason: 'r' };

describe('WriterMetrics', () => {
  it('counts readings as rows, rates over 10 s and latencies over 60 s', () => {
    let depth = 7;
    const m = new WriterMetrics(() => depth);
    const t = 1_000_000;
    m.recordBatch([metricsItem(50), dead], 40, t - 30_000); // outside the 10 s rate window
    for (let i = 0; i < 10; i++) m.recordBatch([metricsItem(100)], 10 + i, t - 9000 + i * 100);
    m.recordFailure();
    const snap = m.snapshot(t);
    expect(snap).toMatchObject({
      rowsPerSec: 100, // 1,000 rows in the last 10 s
      batchesLastMinute: 11,
      queueDepth: 7,
      rowsTotal: 1051,
      batchesTotal: 11,
      failedBatchesTotal: 1,
      batchLatencyMs: { p50: 15, p99: 40, max: 40 },
    });
    depth = 0;
    // A minute later the window is empty; the totals stay.
    expect(m.snapshot(t + 61_000)).toMatchObject({
      rowsPerSec: 0,
      batchesLastMinute: 0,
      queueDepth: 0,
      rowsTotal: 1051,
      batchLatencyMs: { p50: null, p99: null, max: null },
    });
  });
});
