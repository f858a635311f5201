import { describe, expect, it } from 'vitest';
import { ackPayloadSchema, isToGatewayTopic, parseTopic, toSeqRanges, topics } from '../../src';

describe('ack wire contract (issue 4)', () => {
  it('builds the fixed ack topic, which ingest skips and never parses as data', () => {
    const topic = topics.ack('plant-1', 'gw-1');
    expect(topic).toBe('takt/v1/plant-1/gw-1/ack');
    expect(isToGatewayTopic(topic)).toBe(true);
    expect(isToGatewayTopic('takt/v1/plant-1/gw-1/cmd/reload')).toBe(true);
    expect(isToGatewayTopic(topics.machine('plant-1', 'gw-1', 'ack', 'metrics'))).toBe(false);
    expect(isToGatewayTopic(topics.status('plant-1', 'gw-1'))).toBe(false);
    expect(parseTopic(topic).ok).toBe(false);
    expect(() => topics.ack('plant 1', 'gw-1')).toThrow(/invalid site/);
  });

  it('merges seqs into sorted inclusive ranges, gaps kept', () => {
    expect(toSeqRanges([5, 3, 4, 4, 10, 12, 11, 20])).toEqual([
      [3, 5],
      [10, 12],
      [20, 20],
    ]);
    expect(toSeqRanges([])).toEqual([]);
  });

  it('accepts a well-formed ack and refuses reversed or empty ranges', () => {
    expect(ackPayloadSchema.safeParse({ v: 1, ts: 1, ranges: [[1, 2]] }).success).toBe(true);
    expect(ackPayloadSchema.safeParse({ v: 1, ts: 1, ranges: [[2, 1]] }).success).toBe(false);
    expect(ackPayloadSchema.safeParse({ v: 1, ts: 1, ranges: [] }).success).toBe(false);
    expect(ackPayloadSchema.safeParse({ v: 1, ts: 1, ranges: [[-1, 2]] }).success).toBe(false);
  });
});
