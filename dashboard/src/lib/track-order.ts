/**
 * The customer tracking page's data (`GET /api/track/orders`, ingest/src/work-orders/view.ts
 * customerOrderView) and the pure helpers that turn it into what the page shows.
 */
import type { TrackedOrder } from '@takt/protocol';
// The shapes are the API's own (protocol/src/api/track.ts), never retyped here.
export type { OperationStatus, OrderStatus, TrackAnswer, TrackedOrder } from '@takt/protocol';

/**
 * Events a customer reads in the history; any other scan shows as "recorded". held, resumed,
 * cancelled and changed are a person's changes to the order (work-orders/view.ts).
 */
export const TRACK_EVENTS = [
  'created',
  'start',
  'pause',
  'complete',
  'held',
  'resumed',
  'cancelled',
  'changed',
] as const;
export type TrackEvent = (typeof TRACK_EVENTS)[number] | 'scan';

export function trackEvent(event: string): TrackEvent {
  return (TRACK_EVENTS as readonly string[]).includes(event) ? (event as TrackEvent) : 'scan';
}

/** Progress as a whole percentage from 0 to 100, whatever the API rounds to. */
export function progressPercent(order: Pick<TrackedOrder, 'progress'>): number {
  const p = Number.isFinite(order.progress) ? order.progress : 0;
  return Math.max(0, Math.min(100, Math.round(p * 100)));
}

/** The history oldest first (the API lists it newest first), as a customer reads a story. */
export function historyOldestFirst(order: Pick<TrackedOrder, 'history'>) {
  return [...order.history].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
}

/** Open orders first, the earliest due first; completed ones last. */
export function trackOrder(orders: readonly TrackedOrder[]): TrackedOrder[] {
  const due = (o: TrackedOrder) => (o.dueAt ? Date.parse(o.dueAt) : Number.POSITIVE_INFINITY);
  return [...orders].sort(
    (a, b) =>
      Number(a.status === 'completed') - Number(b.status === 'completed') ||
      due(a) - due(b) ||
      a.id.localeCompare(b.id),
  );
}
