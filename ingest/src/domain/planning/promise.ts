/**
 * The delivery-date calculator: plan the open orders with and without a new one released now,
 * and say when it would finish and which orders it pushes. Changes nothing: the input is read only.
 */
import { compareOrders, planOrders } from './schedule';
import type { Plan, PlanInput, PlanOrder, PromiseCandidate, PromiseOutcome } from './types';

/** The id the candidate order has inside the calculator's plan. */
export const PROMISE_ORDER_ID = '\u0000promise';

/** `base`: the plan of `input` already made (saves planning it again). */
export function promise(
  input: PlanInput,
  candidate: PromiseCandidate,
  base?: Plan,
): PromiseOutcome {
  const order: PlanOrder = {
    id: PROMISE_ORDER_ID,
    product: candidate.product,
    quantity: candidate.quantity,
    priority: candidate.priority,
    dueAt: candidate.wantedBy ?? null,
    releasedAt: input.now,
    operations: candidate.routing.map((r) => ({
      id: r.id,
      machine: r.machine,
      status: 'pending',
      good: 0,
      startedAt: null,
    })),
  };
  const without = base ?? planOrders(input);
  const withIt = planOrders({ ...input, orders: [...input.orders, order] });
  const refused = withIt.unplannable.find((u) => u.order === PROMISE_ORDER_ID);
  if (refused) return { ok: false, unplannable: refused };
  const mine = withIt.orders.find((o) => o.order === PROMISE_ORDER_ID)!;
  const before = new Map(without.orders.map((o) => [o.order, o.promisedAt]));
  const delays = withIt.orders
    .filter((o) => o.order !== PROMISE_ORDER_ID && before.has(o.order))
    .map((o) => ({ order: o.order, byMs: o.promisedAt - before.get(o.order)! }))
    .filter((d) => d.byMs > 0)
    .sort((a, b) => b.byMs - a.byMs || (a.order < b.order ? -1 : 1));
  const ahead = input.orders.filter((o) => compareOrders(o, order) < 0).sort(compareOrders);
  return {
    ok: true,
    answer: {
      promisedAt: mine.promisedAt,
      p10: mine.p10,
      p90: mine.p90,
      insertedAfter: ahead.at(-1)?.id ?? null,
      meetsWantedBy:
        candidate.wantedBy === undefined ? null : mine.promisedAt <= candidate.wantedBy,
      operations: withIt.operations
        .filter((p) => p.order === PROMISE_ORDER_ID)
        .map((p) => ({
          operation: p.operation,
          machine: p.machine,
          plannedStart: p.plannedStart,
          plannedFinish: p.plannedFinish,
        })),
      delays,
    },
  };
}
