import { createContext, useContext, type ReactNode } from 'react';
import { initialAlertsState, type AlertsState } from '../lib/alerts-state';
import { initialLiveState, type LiveState } from '../lib/live-state';
import { initialOrderChanges, orderVersion, type OrderChanges } from './order-changes';
import { useLiveMachines } from './use-live-machines';

type Live = LiveState & { alerts: AlertsState; orders: OrderChanges; planVersion: number };

const LiveContext = createContext<Live>({
  ...initialLiveState,
  alerts: initialAlertsState,
  orders: initialOrderChanges,
  planVersion: 0,
});

/** One socket.io connection per page, shared by every board in a rotation. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const live = useLiveMachines();
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

export function useLive(): Live {
  return useContext(LiveContext);
}

/**
 * A number that moves when orders change on the server (any order, or only `id`): a screen
 * puts it in what it loads by, and loads again without a reload.
 */
export function useOrdersVersion(id?: string): number {
  const { orders } = useContext(LiveContext);
  return id === undefined ? orders.version : orderVersion(orders, id);
}

/** A number that moves when ingest makes a new plan (socket `plan:changed`, or a reconnect). */
export function usePlanVersion(): number {
  return useContext(LiveContext).planVersion;
}
