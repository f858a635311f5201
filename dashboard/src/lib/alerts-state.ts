import {
  alertsSnapshotSchema,
  alertUpdateSchema,
  type AlertItem,
  type AlertSeverity,
} from '@takt/protocol/alerts';

/** The alerts a screen shows: every one not cleared, by id. */
export type AlertsState = ReadonlyMap<number, AlertItem>;

/**
 * What the screen's connection has given: the alerts shown, and, between a (re)connect and
 * its snapshot, the updates that came first. The server reads the snapshot while updates
 * already go out, so a snapshot can be older than an update that reached the screen before
 * it (an alert opened during the read); those updates are laid over the snapshot again.
 */
export interface AlertsFeed {
  shown: AlertsState;
  /** Updates since the last connect, by alert id; null once its snapshot has come. */
  early: ReadonlyMap<number, AlertItem> | null;
}

export type AlertsAction =
  { type: 'connected' } | { type: 'snapshot'; raw: unknown } | { type: 'update'; raw: unknown };

export const initialAlertsState: AlertsState = new Map();
export const initialAlertsFeed: AlertsFeed = { shown: initialAlertsState, early: null };

/** One alert's news on a map of alerts: replaced, or removed when cleared. */
function withAlert(alerts: Map<number, AlertItem>, alert: AlertItem): Map<number, AlertItem> {
  if (alert.status === 'cleared') alerts.delete(alert.id);
  else alerts.set(alert.id, alert);
  return alerts;
}

/**
 * `connected` starts keeping updates; `alerts:snapshot` replaces everything (sent on every
 * reconnect), then the updates kept since the connect go over it again — every change of an
 * alert sends an update, so the last one a screen got of an alert is never older than the
 * snapshot's; `alerts:update` replaces one alert, or removes it when cleared. A message that
 * fails the protocol's schema changes nothing (and is reported on the console by the caller).
 */
export function alertsReducer(feed: AlertsFeed, action: AlertsAction): AlertsFeed {
  if (action.type === 'connected') return { ...feed, early: new Map() };
  if (action.type === 'snapshot') {
    const parsed = alertsSnapshotSchema.safeParse(action.raw);
    if (!parsed.success) return feed;
    const shown = new Map<number, AlertItem>();
    for (const alert of parsed.data.alerts) withAlert(shown, alert);
    for (const alert of feed.early?.values() ?? []) withAlert(shown, alert);
    return { shown, early: null };
  }
  const parsed = alertUpdateSchema.safeParse(action.raw);
  if (!parsed.success) return feed;
  const { alert } = parsed.data;
  return {
    shown: withAlert(new Map(feed.shown), alert),
    early: feed.early && new Map(feed.early).set(alert.id, alert),
  };
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
