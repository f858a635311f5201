import { useEffect, useReducer, useState } from 'react';
import { io } from 'socket.io-client';
import { ALERT_EVENTS } from '@takt/protocol/alerts';
import { ORDER_LIVE_EVENTS, PLAN_LIVE_EVENTS } from '@takt/protocol/api';
import { LIVE_EVENTS } from '@takt/protocol/live';
import { socketAuth } from '../lib/credentials';
import { alertsReducer, initialAlertsFeed, type AlertsState } from '../lib/alerts-state';
import { initialLiveState, liveReducer, type LiveState } from '../lib/live-state';
import { parseLiveMessage } from '../lib/parse-live';
import { initialOrderChanges, orderChangesReducer, type OrderChanges } from './order-changes';

/** socket.io's reconnect back-off stops growing here: a wall screen must come back quickly. */
const RECONNECT_DELAY_MAX_MS = 5_000;
/** Retry after the server itself closed or refused us, which socket.io does not retry. */
const SERVER_REFUSED_RETRY_MS = 3_000;

/**
 * Connects to ingest's socket.io on the page's own origin (default path `/socket.io`) and
 * keeps the machines: a snapshot on every (re)connect, then updates replacing machines by id.
 */
export function useLiveMachines(): LiveState & {
  alerts: AlertsState;
  orders: OrderChanges;
  planVersion: number;
} {
  const [state, dispatch] = useReducer(liveReducer, initialLiveState);
  const [alerts, dispatchAlerts] = useReducer(alertsReducer, initialAlertsFeed);
  const [orders, dispatchOrders] = useReducer(orderChangesReducer, initialOrderChanges);
  const [planVersion, setPlanVersion] = useState(0);

  useEffect(() => {
    // A link token goes in the handshake; a signed-in browser sends its session cookie.
    const socket = io({ reconnectionDelayMax: RECONNECT_DELAY_MAX_MS, auth: socketAuth() });
    const receive = (kind: 'snapshot' | 'update') => (raw: unknown) => {
      const { message, problems } = parseLiveMessage(raw);
      if (problems.length > 0) {
        console.error(`takt dashboard: invalid ${LIVE_EVENTS[kind]} payload`, problems);
      }
      if (message) dispatch({ type: kind, payload: message, receivedAtMs: Date.now() });
    };
    socket.on(LIVE_EVENTS.snapshot, receive('snapshot'));
    socket.on(LIVE_EVENTS.update, receive('update'));
    // The andon's alerts travel on the same connection (issue 7).
    socket.on(ALERT_EVENTS.snapshot, (raw: unknown) => dispatchAlerts({ type: 'snapshot', raw }));
    socket.on(ALERT_EVENTS.update, (raw: unknown) => dispatchAlerts({ type: 'update', raw }));
    // Order changes: the order pages and boards load again (live/order-changes.ts).
    socket.on(ORDER_LIVE_EVENTS.changed, (raw: unknown) =>
      dispatchOrders({ type: 'changed', raw }),
    );
    // A new plan (issue 21): the planning page and board load it again.
    socket.on(PLAN_LIVE_EVENTS.changed, () => setPlanVersion((v) => v + 1));
    let connected = false;
    socket.on('connect', () => {
      dispatchAlerts({ type: 'connected' });
      if (connected) {
        dispatchOrders({ type: 'reconnected' });
        setPlanVersion((v) => v + 1);
      }
      connected = true;
    });
    // A wall screen has nobody to press reload: when the server disconnects us on purpose
    // (restart, shutdown) or a middleware refuses us, socket.io stops retrying, so we retry.
    let retryTimer = 0;
    const retryIfGivenUp = () => {
      if (socket.active) return;
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(() => socket.connect(), SERVER_REFUSED_RETRY_MS);
    };
    socket.on('disconnect', (reason) => {
      dispatch({ type: 'disconnected', reason });
      retryIfGivenUp();
    });
    socket.on('connect_error', (err) => {
      dispatch({ type: 'connect-error', message: err.message });
      retryIfGivenUp();
    });
    return () => {
      window.clearTimeout(retryTimer);
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, []);

  return { ...state, alerts: alerts.shown, orders, planVersion };
}
