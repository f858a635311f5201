import { createContext, useContext, type ReactNode } from 'react';
import { initialAlertsState, type AlertsState } from '../lib/alerts-state';
import { initialLiveState, type LiveState } from '../lib/live-state';
import { useLiveMachines } from './use-live-machines';

type Live = LiveState & { alerts: AlertsState };

const LiveContext = createContext<Live>({ ...initialLiveState, alerts: initialAlertsState });

/** One socket.io connection per page, shared by every board in a rotation. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const live = useLiveMachines();
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

export function useLive(): Live {
  return useContext(LiveContext);
}
