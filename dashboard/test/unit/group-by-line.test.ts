import { describe, expect, it } from 'vitest';
import { groupByLine, siteTitle } from '../../src/lib/group-by-line';
import { machine } from './machine-fixture';

describe('groupByLine', () => {
  it("keeps the server's order and puts machines without a line last", () => {
    const groups = groupByLine([
      machine({ id: 'x', line: null, lineName: null }),
      machine({ id: 'b1', line: 'b', lineName: 'Line B' }),
      machine({ id: 'a1', line: 'a', lineName: null }),
      machine({ id: 'b2', line: 'b', lineName: 'Line B' }),
    ]);
    expect(groups.map((g) => [g.lineId, g.lineName, g.machines.map((m) => m.id)])).toEqual([
      ['b', 'Line B', ['b1', 'b2']],
      ['a', 'a', ['a1']],
      ['', 'No line', ['x']],
    ]);
  });

  it('names the site(s), or nothing when unknown', () => {
    expect(siteTitle([machine({ id: 'a' }), machine({ id: 'b' })])).toBe('plant-a');
    expect(siteTitle([machine({ id: 'a', site: null })])).toBeNull();
  });
});
