import { SERVER_MESSAGES, catalogProblems } from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import {
  diffOrder,
  planSplit,
  statusRefusal,
  stoppedAt,
  type OrderState,
} from '../../src/domain/order-changes';

/** The rules of docs/decisions.md, "Issue 20 — order changes and their trail", one by one. */
const order = (over: Partial<OrderState> = {}): OrderState => ({
  id: 'WO-1',
  quantity: 100,
  dueAt: null,
  priority: 0,
  customer: null,
  held: false,
  cancelled: false,
  operations: [
    { id: 'OP10', machine: 'cnc-1', status: 'done', good: 100 },
    { id: 'OP20', machine: 'asm-1', status: 'running', good: 30 },
    { id: 'OP30', machine: 'pack-1', status: 'pending', good: 0 },
  ],
  ...over,
});
/** The pieces made are the last operation's good ones (the order's `good` on every screen). */
const twoOps = order({
  operations: [
    { id: 'OP10', machine: 'cnc-1', status: 'done', good: 100 },
    { id: 'OP20', machine: 'asm-1', status: 'running', good: 30 },
  ],
});
const routing = (o: OrderState) => o.operations.map(({ id, machine }) => ({ id, machine }));

describe('diffOrder', () => {
  it('lists each changed field with before and after, and nothing for equal values', () => {
    expect(
      diffOrder(order(), {
        quantity: 120,
        dueAt: '2026-12-24T08:00:00+08:00',
        priority: 0,
        customer: 'ACME',
      }),
    ).toEqual({
      changes: [
        { field: 'quantity', before: 100, after: 120 },
        { field: 'dueAt', before: null, after: '2026-12-24T00:00:00.000Z' },
        { field: 'customer', before: null, after: 'ACME' },
      ],
    });
    const due = order({ dueAt: '2026-12-24T00:00:00.000Z' });
    expect(diffOrder(due, { dueAt: '2026-12-24T08:00:00+08:00' })).toEqual({ changes: [] });
    expect(diffOrder(order(), { routing: routing(order()) })).toEqual({ changes: [] });
  });

  it('refuses a quantity below the pieces made (the last operation`s good)', () => {
    expect(diffOrder(order(), { quantity: 1 }).refusal).toBeUndefined();
    expect(diffOrder(twoOps, { quantity: 29 })).toEqual({
      refusal: {
        key: 'orders.quantityBelowMade',
        params: { order: 'WO-1', quantity: 29, made: 30 },
      },
    });
    expect(diffOrder(twoOps, { quantity: 30 }).refusal).toBeUndefined();
  });

  it('refuses removing, moving or re-machining a started or done operation', () => {
    const [op10, op20, op30] = routing(order());
    for (const r of [
      [op20!, op30!], // OP10 (done) removed
      [op10!, op30!], // OP20 (running) removed
      [op20!, op10!, op30!], // started ones swapped
      [op10!, { ...op20!, machine: 'asm-2' }, op30!],
    ])
      expect(diffOrder(order(), { routing: r }).refusal?.key).toBe('orders.operationStarted');
    expect(diffOrder(order(), { routing: [op10!, op20!] }).refusal?.key).toBeUndefined();
    const added = diffOrder(order(), {
      routing: [op10!, op20!, { id: 'OP25', machine: 'qc-1' }, { ...op30!, machine: 'pack-2' }],
    });
    expect(added.refusal).toBeUndefined();
    expect(added.refusal === undefined && added.changes.map((c) => c.field)).toEqual(['routing']);
  });

  it('refuses an operation named twice', () => {
    const [op10, op20, op30] = routing(order());
    expect(diffOrder(order(), { routing: [op10!, op20!, op30!, op30!] }).refusal).toEqual({
      key: 'orders.duplicateOperation',
      params: { operation: 'OP30' },
    });
  });

  it('refuses any change to a cancelled or finished order', () => {
    expect(diffOrder(order({ cancelled: true }), { priority: 3 }).refusal?.key).toBe(
      'orders.cancelled',
    );
    const done = order({
      operations: [{ id: 'OP10', machine: 'cnc-1', status: 'done', good: 100 }],
    });
    expect(diffOrder(done, { priority: 3 }).refusal?.key).toBe('orders.completed');
  });
});

describe('hold, resume, cancel', () => {
  it('refuses holding a held order, resuming one not held, and anything on a closed one', () => {
    expect(statusRefusal(order(), 'hold')).toBeUndefined();
    expect(statusRefusal(order({ held: true }), 'hold')?.key).toBe('orders.alreadyHeld');
    expect(statusRefusal(order(), 'resume')?.key).toBe('orders.notHeld');
    expect(statusRefusal(order({ held: true }), 'resume')).toBeUndefined();
    expect(statusRefusal(order({ held: true }), 'cancel')).toBeUndefined();
    expect(statusRefusal(order({ cancelled: true }), 'cancel')?.key).toBe('orders.cancelled');
  });

  it('knows whether an order was held or cancelled at an instant', () => {
    const at = stoppedAt([
      { order: 'A', ts: 10, change: 'hold' },
      { order: 'A', ts: 20, change: 'resume' },
      { order: 'A', ts: 30, change: 'cancel' },
      { order: 'A', ts: 40, change: 'resume' },
    ]);
    expect([5, 10, 15, 20, 29, 30, 50].map((ts) => at('A', ts))).toEqual([
      undefined,
      'held',
      'held',
      undefined,
      undefined,
      'cancelled',
      'cancelled',
    ]);
    expect(at('B', 15)).toBeUndefined();
  });
});

describe('planSplit', () => {
  it('keeps the pieces made and moves the rest with the operations not yet done', () => {
    expect(planSplit(twoOps, 70)).toEqual({
      plan: { keep: 30, moved: 70, operations: [{ id: 'OP20', machine: 'asm-1' }] },
    });
    expect(planSplit(order(), 99)).toMatchObject({ plan: { keep: 1, moved: 99 } });
  });

  it('refuses leaving fewer than the pieces made (or none), and a finished order', () => {
    expect(planSplit(twoOps, 71)).toEqual({
      refusal: {
        key: 'orders.splitTooMany',
        params: { order: 'WO-1', quantity: 71, left: 29, made: 30 },
      },
    });
    const fresh = order({
      operations: [{ id: 'OP10', machine: 'cnc-1', status: 'pending', good: 0 }],
    });
    expect('refusal' in planSplit(fresh, 100)).toBe(true);
    expect('plan' in planSplit(fresh, 99)).toBe(true);
    const done = order({
      operations: [{ id: 'OP10', machine: 'cnc-1', status: 'done', good: 100 }],
    });
    expect(planSplit(done, 10)).toEqual({
      refusal: { key: 'orders.completed', params: { order: 'WO-1' } },
    });
  });
});

describe('the orders catalog', () => {
  it('has every refusal key in both languages with the same placeholders', () => {
    expect(catalogProblems(SERVER_MESSAGES)).toEqual([]);
    for (const key of [
      'orders.notFound',
      'orders.cancelled',
      'orders.completed',
      'orders.quantityBelowMade',
      'orders.operationStarted',
      'orders.duplicateOperation',
      'orders.alreadyHeld',
      'orders.notHeld',
      'orders.splitTooMany',
      'orders.splitIdTaken',
    ])
      expect(SERVER_MESSAGES[key], key).toBeDefined();
  });
});
