import { describe, expect, it } from 'vitest';
import { parseTopic, topics } from '../../src';

describe('topics', () => {
  it('builds and parses machine topics round trip', () => {
    const topic = topics.machine('plant-1', 'gw-1', 'press-01', 'metrics');
    expect(topic).toBe('takt/v1/plant-1/gw-1/press-01/metrics');
    expect(parseTopic(topic)).toEqual({
      ok: true,
      topic: { kind: 'metrics', site: 'plant-1', gatewayId: 'gw-1', machineId: 'press-01' },
    });
  });

  it('builds and parses the status topic', () => {
    const topic = topics.status('plant-1', 'gw-1');
    expect(parseTopic(topic)).toEqual({
      ok: true,
      topic: { kind: 'status', site: 'plant-1', gatewayId: 'gw-1' },
    });
  });

  it('refuses ids that would break the namespace', () => {
    expect(() => topics.machine('plant', 'gw/evil', 'm', 'state')).toThrow(/invalid gatewayId/);
    expect(() => topics.status('+', 'gw')).toThrow(/invalid site/);
  });

  it.each([
    ['other/v1/a/b/status', 'not under takt/v1/'],
    ['takt/v1/a/b/c/d/e', 'expected takt/v1/<site>'],
    ['takt/v1/a/b/m/unknown', 'unknown message kind "unknown"'],
    ['takt/v1/a/b c/m/state', 'invalid topic level "b c"'],
  ])('rejects %s with a reason', (topic, reason) => {
    const parsed = parseTopic(topic);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toContain(reason);
  });

  it('gives the gateway subtree for ACLs', () => {
    expect(topics.gatewaySubtree('s', 'g')).toBe('takt/v1/s/g/#');
  });
});
