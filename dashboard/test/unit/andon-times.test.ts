import type { AndonResponseTimes } from '@takt/protocol/api';
import { describe, expect, it } from 'vitest';
import { andonTimeRows } from '../../src/pages/analytics-data';

const stats = (p50Ms: number | null, p90Ms: number | null) => ({
  count: p50Ms === null ? 0 : 2,
  p50Ms,
  p90Ms,
  maxMs: p90Ms,
});

const answer: AndonResponseTimes = {
  from: '2026-11-23T00:00:00.000Z',
  to: '2026-11-24T00:00:00.000Z',
  station: null,
  line: null,
  calls: [
    {
      call: 'maintenance',
      rule: 'andon-maintenance',
      name: 'Maintenance called',
      label: { en: 'Maintenance', 'zh-CN': '设备维修' },
      count: 3,
      open: 1,
      acknowledge: stats(90_000, 240_000),
      clear: stats(600_000, 1_234_567),
    },
    {
      call: 'material',
      rule: 'andon-material',
      name: 'Material called',
      label: {},
      count: 1,
      open: 1,
      acknowledge: stats(null, null),
      clear: stats(null, null),
    },
    {
      call: 'quality',
      rule: 'andon-quality',
      name: null,
      label: {},
      count: 0,
      open: 0,
      acknowledge: stats(null, null),
      clear: stats(null, null),
    },
  ],
};

describe('andon response times chart data', () => {
  it('minutes to one decimal per call type, labelled in the language; unused types left out', () => {
    expect(andonTimeRows(answer, 'zh-CN')).toEqual([
      {
        call: 'maintenance',
        label: '设备维修',
        count: 3,
        ackP50Min: 1.5,
        ackP90Min: 4,
        clearP50Min: 10,
        clearP90Min: 20.6,
      },
      {
        call: 'material',
        label: 'Material called', // no label: the rule's name
        count: 1,
        ackP50Min: null,
        ackP90Min: null,
        clearP50Min: null,
        clearP90Min: null,
      },
    ]);
    expect(andonTimeRows(answer, 'en')[0]!.label).toBe('Maintenance');
    const unnamed = { ...answer, calls: [{ ...answer.calls[2]!, count: 1 }] };
    expect(andonTimeRows(unnamed, 'en')[0]!.label).toBe('quality'); // nor a name: the call
  });
});
