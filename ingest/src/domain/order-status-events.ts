/**
 * Which status events an order's change makes (docs/decisions.md "Issue 20 — the Import page,
 * exports and order status webhooks"), as a pure function of what was announced before and
 * what holds now (docs/architecture.md "Conventions" 4).
 */
import type { OrderStatusEvent } from '@takt/protocol';

export type OrderProgress = 'released' | 'started' | 'completed';

export interface AnnouncedStatus {
  progress: OrderProgress;
  held: boolean;
  cancelled: boolean;
  lateRisk: boolean;
}

const RANK: Record<OrderProgress, number> = { released: 0, started: 1, completed: 2 };

/**
 * The events between two states, in the order they happened as far as they can be told: a
 * new order is `released` first; `resumed` before the progress it allowed; `started` before
 * `completed` when both happened between two looks; `held` after; `late-risk` when the risk
 * appears on an order still open, not held; `cancelled` ends everything (nothing else with it).
 */
export function statusEvents(
  before: AnnouncedStatus | undefined,
  now: AnnouncedStatus,
): OrderStatusEvent[] {
  if (before?.cancelled) return [];
  const events: OrderStatusEvent[] = before ? [] : ['released'];
  if (now.cancelled) return [...events, 'cancelled'];
  const was = before ?? { progress: 'released', held: false, cancelled: false, lateRisk: false };
  if (was.held && !now.held) events.push('resumed');
  if (RANK[now.progress] >= 1 && RANK[was.progress] < 1) events.push('started');
  if (now.progress === 'completed' && was.progress !== 'completed') events.push('completed');
  if (now.held && !was.held) events.push('held');
  if (now.lateRisk && !was.lateRisk && now.progress !== 'completed' && !now.held)
    events.push('late-risk');
  return events;
}

/** Whether the stored announcement must be rewritten (also when no event is sent, e.g. risk gone). */
export const statusDiffers = (a: AnnouncedStatus | undefined, b: AnnouncedStatus) =>
  !a ||
  a.progress !== b.progress ||
  a.held !== b.held ||
  a.cancelled !== b.cancelled ||
  a.lateRisk !== b.lateRisk;
