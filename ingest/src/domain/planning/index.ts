/** The finite-capacity scheduler (docs/decisions.md "Issue 21 — the finite-capacity scheduler"). */
export * from './types';
export { calendarOf, changeoverOf, offDays, workingIntervals, WorkingTime } from './calendar';
export { estimateCapacity, type CapacityProduct, type CapacitySettings } from './capacity';
export { compareOrders, planOrders, DEFAULT_HORIZON_MS } from './schedule';
export { lineLoad } from './load';
export { promise, PROMISE_ORDER_ID } from './promise';
