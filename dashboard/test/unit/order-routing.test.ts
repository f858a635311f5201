import { describe, expect, it } from 'vitest';
import { routingProgress } from '../../src/lib/order-urgency';

describe('routingProgress (the orders board beside an order’s progress)', () => {
  it('gives each operation’s whole percent in routing order for an order with several', () => {
    const operations = [
      { id: 'OP10', status: 'running', progress: 0.6 },
      { id: 'OP20', status: 'pending', progress: 0.996 },
    ] as const;
    // Floored: an operation shows 100 % only when it has made the whole quantity.
    expect(routingProgress({ operations })).toEqual([
      { id: 'OP10', pct: 60 },
      { id: 'OP20', pct: 99 },
    ]);
  });

  it('shows nothing extra for one operation (the order’s progress is its progress)', () => {
    expect(
      routingProgress({ operations: [{ id: 'OP10', status: 'running', progress: 0.5 }] }),
    ).toEqual([]);
    expect(routingProgress({})).toEqual([]);
  });
});
