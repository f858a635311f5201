import {
  alertsSnapshotSchema,
  alertUpdateSchema,
  type AlertItem,
  type AlertSeverity,
} from '@takt/protocol/alerts';

/** The alerts a screen shows: every one not cleared, by id. */
export type AlertsState = ReadonlyMap<number, AlertItem>;

export type AlertsAction = { type: 'snapshot'; raw: unknown } | { type: 'update'; raw: unknown };

export const initialAlertsState: AlertsState = new Map();

/**
 * `alerts:snapshot` replaces everything (sent on every reconnect); `alerts:update` replaces one
 * alert, or removes it when cleared. A message that fails the protocol's schema changes
 * nothing (and is reported on the console by the caller).
 */
export function alertsReducer(state: AlertsState, action: AlertsAction): AlertsState {
  if (action.type === 'snapshot') {
    const parsed = alertsSnapshotSchema.safeParse(action.raw);
    if (!parsed.success) return state;
    return new Map(
      parsed.data.alerts.filter((a) => a.status !== 'cleared').map((a) => [a.id, a] as const),
    );
  }
  const parsed = alertUpdateSchema.safeParse(action.raw);
  if (!parsed.success) return state;
  const next = new Map(state);
  const { alert } = parsed.data;
  if (alert.status === 'cleared') next.delete(alert.id);
  else next.set(alert.id, alert);
  return next;
}

const RANK: Record<AlertSeverity, number> = { critical: 0, warning: 1, info: 2 };

/** Worst first; unacknowledged before acknowledged; then oldest first (waiting longest). */
export function andonOrder(alerts: AlertsState): AlertItem[] {
  return [...alerts.values()].sort(
    (a, b) =>
      RANK[a.severity] - RANK[b.severity] ||
      Number(a.status === 'acknowledged') - Number(b.status === 'acknowledged') ||
      Date.parse(a.openedAt) - Date.parse(b.openedAt),
  );
}
