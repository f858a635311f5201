import { describe, expect, it } from 'vitest';
import {
  applyScan,
  attributeCount,
  orderStatus,
  type WorkOrder,
} from '../../src/domain/work-orders';

const H = 3_600_000;
const order: WorkOrder = {
  id: 'WO-24117',
  quantity: 500,
  dueAt: 10 * H,
  operations: [
    {
      id: 'OP10',
      machine: 'press-01',
      status: 'pending',
      good: 0,
      rejected: 0,
      startedAt: null,
      completedAt: null,
    },
    {
      id: 'OP20',
      machine: 'assembly-01',
      status: 'pending',
      good: 0,
      rejected: 0,
      startedAt: null,
      completedAt: null,
    },
  ],
};

function must(outcome: ReturnType<typeof applyScan>): WorkOrder {
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.order;
}

describe('work orders driven by scans and counts', () => {
  it('starts, pauses, resumes and completes operations; the order status follows', () => {
    let o = must(applyScan(order, { operation: 'OP10', action: 'start', ts: 1 * H }));
    expect(orderStatus(o)).toBe('in_progress');
    o = must(applyScan(o, { operation: 'OP10', action: 'pause', ts: 2 * H }));
    expect(orderStatus(o)).toBe('paused');
    o = must(applyScan(o, { operation: 'OP10', action: 'start', ts: 3 * H }));
    o = must(applyScan(o, { operation: 'OP10', action: 'complete', ts: 4 * H }));
    expect(o.operations[0]).toMatchObject({ status: 'done', startedAt: 1 * H, completedAt: 4 * H });
    o = must(applyScan(o, { operation: 'OP20', action: 'start', ts: 4 * H }));
    o = must(applyScan(o, { operation: 'OP20', action: 'complete', ts: 5 * H }));
    expect(orderStatus(o)).toBe('completed');
  });

  it('refuses a scan for an unknown or finished operation, with the reason', () => {
    expect(applyScan(order, { operation: 'OP99', action: 'start', ts: 0 })).toEqual({
      ok: false,
      reason: 'order WO-24117 has no operation OP99',
    });
    const done = must(
      applyScan(must(applyScan(order, { operation: 'OP10', action: 'start', ts: 0 })), {
        operation: 'OP10',
        action: 'complete',
        ts: 1,
      }),
    );
    expect(applyScan(done, { operation: 'OP10', action: 'start', ts: 2 })).toEqual({
      ok: false,
      reason: 'operation OP10 of order WO-24117 is done: cannot start',
    });
    expect(applyScan(order, { operation: 'OP20', action: 'pause', ts: 0 })).toMatchObject({
      ok: false,
    });
  });

  it('attributes machine counts to the operation running on that machine only', () => {
    let o = must(applyScan(order, { operation: 'OP20', action: 'start', ts: 0 }));
    o = attributeCount(o, 'assembly-01', 40, 2);
    o = attributeCount(o, 'press-01', 99, 9); // OP10 is not running: not this order's pieces
    expect(o.operations.map((x) => [x.good, x.rejected])).toEqual([
      [0, 0],
      [40, 2],
    ]);
  });
});
