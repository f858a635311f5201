import { describe, expect, it } from 'vitest';
import { parseSparkplugTopic, plantModelSchema, sparkplugTopics } from '../../src';

describe('Sparkplug topics', () => {
  it.each([
    [
      'spBv1.0/Plant/NBIRTH/Edge 1',
      { kind: 'node', type: 'NBIRTH', group: 'Plant', node: 'Edge 1' },
    ],
    [
      'spBv1.0/Plant/DDATA/Edge 1/press-1',
      { kind: 'device', type: 'DDATA', group: 'Plant', node: 'Edge 1', device: 'press-1' },
    ],
    ['spBv1.0/STATE/takt', { kind: 'state', hostId: 'takt' }],
  ])('parses %s', (topic, parsed) => {
    expect(parseSparkplugTopic(topic)).toEqual({ ok: true, topic: parsed });
  });

  it.each([
    'spBv1.0/Plant/NBIRTH/Edge1/extra', // a node message with a device level
    'spBv1.0/Plant/DDATA/Edge1', // a device message without one
    'spBv1.0/Plant/XDATA/Edge1',
    'spBv1.0/Plant//Edge1',
    'spBv2.0/Plant/NDATA/Edge1',
    'spBv1.0/Plant/NDATA/+',
  ])('refuses %s with a reason', (topic) => {
    const parsed = parseSparkplugTopic(topic);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).not.toBe('');
  });

  it('builds what it parses and refuses ids with separators or wildcards', () => {
    expect(sparkplugTopics.device('G', 'DBIRTH', 'N', 'd')).toBe('spBv1.0/G/DBIRTH/N/d');
    expect(sparkplugTopics.group('G')).toBe('spBv1.0/G/#');
    expect(() => sparkplugTopics.node('G', 'NCMD', 'a/b')).toThrow(/edge node/);
    expect(() => sparkplugTopics.node('#', 'NCMD', 'n')).toThrow(/group/);
  });
});

describe('the plant model’s sparkplug key', () => {
  const plant = (sparkplug: unknown) => ({
    site: { id: 's', name: 'S' },
    lines: [
      {
        id: 'l',
        name: 'L',
        machines: [
          { id: 'm1', name: 'M1' },
          { id: 'm2', name: 'M2' },
        ],
      },
    ],
    sparkplug,
  });
  const node = (extra: object = {}) => ({
    group: 'G',
    node: 'N',
    gateway: 'gw-n',
    devices: [{ device: 'd1', machine: 'm1', tags: { 'Oil/Temp': 'oil-temp' } }],
    ...extra,
  });
  const messages = (sparkplug: unknown) => {
    const parsed = plantModelSchema.safeParse(plant(sparkplug));
    return parsed.success
      ? []
      : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('is optional, and a mapping with defaults validates', () => {
    expect(messages(undefined)).toEqual([]);
    expect(messages({ groups: ['G'], nodes: [node()] })).toEqual([]);
    const parsed = plantModelSchema.parse(plant({ groups: ['G'] }));
    expect(parsed.sparkplug).toEqual({ groups: ['G'], unmapped: 'ignore', nodes: [] });
  });

  it.each([
    [
      { groups: ['G'], nodes: [node({ devices: [{ device: 'd1', machine: 'nope' }] })] },
      /unknown machine "nope"/,
    ],
    [{ groups: ['Other'], nodes: [node()] }, /group "G" is not in sparkplug.groups/],
    [{ groups: ['G'], nodes: [node(), node({ gateway: 'gw-2' })] }, /node G\/N is mapped twice/],
    [
      { groups: ['G'], nodes: [node(), node({ node: 'N2' })] },
      /gateway "gw-n" is given to two nodes/,
    ],
    [
      { groups: ['G'], nodes: [node({ devices: [{ machine: 'm1', reject: 'R' }] })] },
      /reject counter needs a good counter/,
    ],
    [
      {
        groups: ['G'],
        nodes: [
          node({
            devices: [
              { device: 'a', machine: 'm1' },
              { device: 'b', machine: 'm1' },
            ],
          }),
        ],
      },
      /machine "m1" is mapped from two devices/,
    ],
    [{ groups: ['G/H'], nodes: [] }, /without "\/", "\+", "#"/],
    [
      {
        groups: ['G'],
        nodes: [
          node({ devices: [{ machine: 'm1', state: { metric: 'S', values: { 1: 'spinning' } } }] }),
        ],
      },
      /state/,
    ],
  ])('refuses %o', (sparkplug, problem) => {
    expect(messages(sparkplug).join('\n')).toMatch(problem);
  });
});
