import { describe, expect, it } from 'vitest';
import { deliveryKpis, operationRuns, operatorHours, orderHealth } from '../../src';

const H = 3_600_000;

describe('operation runs and operator time from the scan history', () => {
  const scans = [
    { ts: 0, operation: 'OP10', action: 'start' as const, operator: 'E1' },
    { ts: 2 * H, operation: 'OP10', action: 'pause' as const },
    { ts: 3 * H, operation: 'OP10', action: 'start' as const, operator: 'E2' },
    { ts: 3 * H, operation: 'OP20', action: 'start' as const, operator: 'E2' },
    { ts: 5 * H, operation: 'OP10', action: 'complete' as const },
  ];

  it('runs from start to pause or complete; a running one runs until now', () => {
    const runs = operationRuns(scans, 6 * H);
    expect(runs.get('OP10')).toEqual([
      { from: 0, to: 2 * H },
      { from: 3 * H, to: 5 * H },
    ]);
    expect(runs.get('OP20')).toEqual([{ from: 3 * H, to: 6 * H }]);
  });

  it('counts an operator once even on two operations at once, within the window', () => {
    const hours = operatorHours(scans, H, 6 * H);
    expect(Object.fromEntries(hours)).toEqual({ E1: 1, E2: 3 });
  });
});

describe('order health score', () => {
  const base = {
    status: 'in_progress' as const,
    createdAt: 0,
    dueAt: 10 * H,
    eta: 8 * H,
    stalled: false,
    good: 100,
    rejected: 0,
    now: 5 * H,
  };

  it('is 100 for an order on time, flowing, without scrap', () => {
    expect(orderHealth(base)).toEqual({
      score: 100,
      parts: { schedule: 1, flow: 1, quality: 1 },
    });
  });

  it('shows which part pulls it down', () => {
    // ETA 5 h late on a 10 h lead time; stalled; 5 % scrap at a 5 % tolerance.
    const h = orderHealth({ ...base, eta: 15 * H, stalled: true, good: 95, rejected: 5 });
    expect(h.parts).toEqual({ schedule: 0.5, flow: 0, quality: 0.5 });
    expect(h.score).toBe(Math.round(100 * (0.25 + 0 + 0.125)));
    expect(orderHealth({ ...base, eta: null, now: 11 * H }).parts.schedule).toBe(0);
    expect(orderHealth({ ...base, dueAt: null, eta: null }).parts.schedule).toBe(1);
  });
});

describe('delivery KPIs', () => {
  it('on-time rate over orders with a due date; lead time mean and coefficient of variation', () => {
    const k = deliveryKpis([
      { createdAt: 0, completedAt: 10 * H, dueAt: 12 * H },
      { createdAt: 0, completedAt: 30 * H, dueAt: 24 * H },
      { createdAt: 0, completedAt: 20 * H, dueAt: null },
    ]);
    expect(k).toMatchObject({ completed: 3, withDueDate: 2, onTime: 1, onTimeRate: 0.5 });
    expect(k.leadTime!.meanMs).toBe(20 * H);
    // Lead times 10, 30, 20 h: population standard deviation sqrt(200/3) h.
    expect(k.leadTime!.cv).toBeCloseTo(Math.sqrt(200 / 3) / 20, 12);
    expect(deliveryKpis([])).toMatchObject({ onTimeRate: null, leadTime: null });
  });
});
