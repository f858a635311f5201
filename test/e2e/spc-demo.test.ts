import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

/*
 * Issue 23 on the demo (docs/decisions.md "Issue 23 — measurements, limits and spc alerts"):
 * the virtual factory's gauge on CNC 01 (sim/scenarios/demo.yaml `gauge`, OPC UA variable
 * cnc-01.Diameter) reaches the demo plant's characteristic `shaft-diameter` through the demo
 * gateway (tag `diameter`), and a measurement posted by hand joins the same chart.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 120_000);
afterAll(() => stack?.stop());

interface Chart {
  points: { at: string; source: string; values: number[] }[];
  violations: { rule: string; at: string }[];
  [key: string]: unknown;
}

describe('the demo gauge', () => {
  it('GET /api/spc lists the demo characteristic with id, name, lsl and usl', async () => {
    const response = await stack.api('/api/spc');
    expect(response.status).toBe(200);
    const list = (await response.json()) as Record<string, unknown>[];
    expect(list).toContainEqual(
      expect.objectContaining({
        id: 'shaft-diameter',
        name: 'Shaft diameter',
        lsl: 24.95,
        usl: 25.05,
        source: 'gauge',
        machine: 'cnc-01',
      }),
    );
  });

  it('fills the chart from the gateway; a posted measurement joins it; the chart answers limits, capability and violations', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const chartOf = async () => {
      const to = new Date(Date.now() + 60_000).toISOString();
      const response = await stack.api(`/api/spc/shaft-diameter?from=${from}&to=${to}`);
      expect(response.status).toBe(200);
      return (await response.json()) as Chart;
    };
    // CNC 01 makes a piece every 6 s while running: five pieces make a subgroup.
    const gauged = await waitFor(
      'a subgroup from the gauge',
      async () => {
        const chart = await chartOf();
        return chart.points.some((p) => p.source === 'gauge') ? chart : undefined;
      },
      120_000,
    );
    const fromGauge = gauged.points.find((p) => p.source === 'gauge')!;
    expect(fromGauge.values).toHaveLength(5);
    for (const v of fromGauge.values) expect(Math.abs(v - 25)).toBeLessThan(0.05);

    // Six subgroups by hand around nominal, then one far above: a point beyond 3 sigma.
    const base = Date.now() - 20 * 60_000;
    for (let i = 0; i < 6; i++) {
      const response = await stack.post('/api/measurements', {
        characteristic: 'shaft-diameter',
        values: [24.998, 25.001, 25.003, 24.999, 25.0].map((v, j) => v + ((i + j) % 3) * 0.001),
        at: new Date(base + i * 60_000).toISOString(),
      });
      expect(response.status).toBe(201);
    }
    const high = new Date(base + 10 * 60_000).toISOString();
    const posted = await stack.post('/api/measurements', {
      characteristic: 'shaft-diameter',
      values: [25.04, 25.041, 25.039, 25.04, 25.042],
      at: high,
    });
    expect(posted.status).toBe(201);
    expect(await posted.json()).toMatchObject({ at: high });

    const chart = await chartOf();
    expect(chart).toMatchObject({ id: 'shaft-diameter', chart: 'xbar-r', subgroupSize: 5 });
    for (const key of ['center', 'ucl', 'lcl', 'rangeCenter', 'rangeUcl', 'cp', 'cpk', 'pp', 'ppk'])
      expect(typeof chart[key], key).toBe('number');
    expect(chart.points.filter((p) => p.source === 'api')).toHaveLength(7);
    expect(chart.violations).toContainEqual(expect.objectContaining({ rule: 'we1', at: high }));
  }, 180_000);
});
