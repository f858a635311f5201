import { describe, expect, it } from 'vitest';
import { plantModelSchema } from '../../src';

/*
 * The plant model's `quality:` (protocol/src/config/quality.ts; docs/config-reference.md
 * "Quality"): what a plan may name, checked at load with the path of the problem.
 */
const plant = (characteristics: unknown[], rules: unknown[] = []) => ({
  site: { id: 's', name: 'S' },
  lines: [{ id: 'l', name: 'L', machines: [{ id: 'cnc-01', name: 'CNC' }] }],
  products: [
    {
      id: 'shaft',
      name: 'Shaft',
      idealCycleMs: 1000,
      routing: [{ id: 'OP10', machine: 'cnc-01' }],
    },
  ],
  quality: { characteristics },
  alerts: { rules },
});

const good = {
  id: 'd',
  name: 'Diameter',
  lsl: 24.95,
  usl: 25.05,
  chart: 'xbar-r',
  subgroupSize: 5,
  product: 'shaft',
  operation: 'OP10',
  gauge: { machine: 'cnc-01', tag: 'diameter' },
};

const problemsOf = (model: unknown) => {
  const result = plantModelSchema.safeParse(model);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('quality: in the plant model', () => {
  it('takes a plan with limits, a subgroup size that fits its chart, and a gauge; defaults the rules', () => {
    const parsed = plantModelSchema.parse(plant([good]));
    expect(parsed.quality.characteristics[0]).toMatchObject({
      rules: ['we1', 'we2', 'we3', 'we4'],
      overdueAlert: false,
    });
    // A plant without quality: still valid, with none.
    const without: Record<string, unknown> = plant([]);
    delete without.quality;
    expect(plantModelSchema.parse(without).quality.characteristics).toEqual([]);
  });

  it('refuses lsl ≥ usl, a size the chart does not take, and what the plant lacks, each at its path', () => {
    expect(
      problemsOf(
        plant([
          { ...good, id: 'a', lsl: 25.05, usl: 24.95, gauge: undefined },
          { ...good, id: 'b', subgroupSize: 12, gauge: undefined },
          { ...good, id: 'c', chart: 'i-mr', gauge: undefined },
          { ...good, id: 'e', product: 'nope', gauge: undefined },
          { ...good, id: 'f', operation: 'OP99', gauge: undefined },
          { ...good, id: 'g', gauge: { machine: 'cnc-09', tag: 'x' } },
          { ...good, id: 'h', machine: 'cnc-09', gauge: undefined },
          { ...good, id: 'i', chart: 'p', subgroupSize: 50 },
        ]),
      ),
    ).toEqual([
      'quality.characteristics.0.lsl: lsl must be less than usl',
      'quality.characteristics.1.subgroupSize: xbar-r needs a subgroupSize of 2-10',
      'quality.characteristics.2.subgroupSize: i-mr takes single values (subgroupSize 1)',
      'quality.characteristics.3.product: unknown product "nope"',
      'quality.characteristics.4.operation: product "shaft" has no operation "OP99" in its routing',
      'quality.characteristics.5.gauge.machine: unknown machine "cnc-09"',
      'quality.characteristics.6.machine: unknown machine "cnc-09"',
      'quality.characteristics.7.gauge: a gauge measures values: use it with xbar-r, xbar-s or i-mr',
    ]);
  });

  it('refuses two characteristics on one gauge tag, and an spc rule naming an unknown characteristic', () => {
    expect(
      problemsOf(
        plant(
          [good, { ...good, id: 'd2' }],
          [{ id: 'r', kind: 'spc', characteristics: ['d', 'zz'] }],
        ),
      ),
    ).toEqual([
      'quality.characteristics.1.gauge: tag cnc-01/diameter is the gauge of "d" already',
      'alerts.rules.0.characteristics.1: unknown characteristic "zz" (declare it under quality.characteristics)',
    ]);
  });
});
