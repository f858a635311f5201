import { describe, expect, it } from 'vitest';
import {
  machineName,
  parseScope,
  reasonName,
  scopeMachines,
  scopeValue,
} from '../../src/pages/analytics-data';
import { mapLimit } from '../../src/pages/use-api';
import { plantModelSchema } from '@takt/protocol';

const plant = plantModelSchema.parse({
  site: { id: 's', name: 'S', timeZone: 'Asia/Shanghai' },
  lines: [
    {
      id: 'line-a',
      name: 'A',
      machines: [
        { id: 'press-01', name: 'Press 01' },
        { id: 'press-02', name: 'Press 02' },
      ],
    },
    { id: 'line-b', name: 'B', machines: [{ id: 'cnc-01', name: 'CNC 01' }] },
  ],
  products: [],
  shifts: [],
  holidays: [],
  reasons: {
    downtime: [{ id: 'mechanical', name: 'Mechanical', children: [{ id: '11', name: 'Spindle' }] }],
    reject: [],
  },
  targets: {},
});

describe('analytics scopes', () => {
  it('reads and writes the scope picker value, plant for anything else', () => {
    expect(parseScope('line:line-a')).toEqual({ kind: 'line', id: 'line-a' });
    expect(parseScope('machine:cnc-01')).toEqual({ kind: 'machine', id: 'cnc-01' });
    expect(parseScope('line:')).toEqual({ kind: 'plant' });
    expect(parseScope('bogus')).toEqual({ kind: 'plant' });
    expect(scopeValue({ kind: 'machine', id: 'cnc-01' })).toBe('machine:cnc-01');
  });

  it('lists the machines of a scope in plant order; an unknown machine has none', () => {
    expect(scopeMachines(plant, { kind: 'plant' })).toEqual(['press-01', 'press-02', 'cnc-01']);
    expect(scopeMachines(plant, { kind: 'line', id: 'line-a' })).toEqual(['press-01', 'press-02']);
    expect(scopeMachines(plant, { kind: 'machine', id: 'nope' })).toEqual([]);
  });

  it('names machines and reasons as the plant wrote them, else the code', () => {
    expect(machineName(plant, 'cnc-01')).toBe('CNC 01');
    expect(reasonName(plant, '11')).toBe('Spindle');
    expect(reasonName(plant, 'mechanical')).toBe('Mechanical');
    expect(reasonName(plant, '99')).toBe('99');
  });
});

describe('mapLimit', () => {
  it('keeps the order and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, n * 3));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });
});
