import { describe, expect, it } from 'vitest';
import type { IngestItem } from '../../src/pipeline/items';
import { committedRanges } from '../../src/pipeline/writer';

const metrics = (gatewayId: string, seq: number): IngestItem => ({
  kind: 'message',
  message: {
    kind: 'metrics',
    site: 's',
    gatewayId,
    machineId: 'm',
    payload: { v: 1, seq, ts: 0, readings: [{ tag: 't', value: 1, ts: 0, quality: 'good' }] },
  },
});

describe('committedRanges: what ingest acks after a commit (issue 4)', () => {
  it('gives each gateway the ranges of its seqs in the batch, skipping statuses and dead letters', () => {
    const items: IngestItem[] = [
      metrics('gw-1', 7),
      metrics('gw-2', 100),
      metrics('gw-1', 5),
      metrics('gw-1', 6),
      metrics('gw-1', 9),
      metrics('gw-1', 6), // a redelivery in the same batch
      {
        kind: 'message',
        message: {
          kind: 'status',
          site: 's',
          gatewayId: 'gw-3',
          payload: { v: 1, ts: 0, status: 'online' },
        },
      },
      {
        kind: 'dead',
        topic: 'takt/v1/s/gw-4/m/metrics',
        payload: Buffer.from('x'),
        reason: 'not JSON',
      },
    ];
    expect(committedRanges(items)).toEqual([
      {
        site: 's',
        gatewayId: 'gw-1',
        ranges: [
          [5, 7],
          [9, 9],
        ],
      },
      { site: 's', gatewayId: 'gw-2', ranges: [[100, 100]] },
    ]);
  });
});
