import { useEffect, useMemo } from 'react';
import { siteTitle } from './lib/group-by-line';
import { useLiveMachines } from './live/use-live-machines';
import { useNow } from './live/use-now';
import { AndonStrip } from './components/AndonStrip';
import { BoardHeader } from './components/BoardHeader';
import { ConnectionBanner } from './components/ConnectionBanner';
import { MaintenanceView } from './components/MaintenanceView';
import { PlantBoard } from './components/PlantBoard';

export interface Account {
  name: string;
  signOut: () => Promise<void>;
  /** Admins and managers: a way to the access links page. */
  manages: boolean;
}

/** The plant board; `account` is set for a signed-in user (a kiosk screen has none). */
export function App({ account }: { account?: Account | undefined } = {}) {
  const live = useLiveMachines();
  const now = useNow();
  const serverNowMs = now + live.clockOffsetMs;
  const machines = useMemo(() => [...live.machines.values()], [live.machines]);
  const title = siteTitle(machines);

  useEffect(() => {
    document.title = title ? `${title} — Takt` : 'Takt plant board';
  }, [title]);

  return (
    <div className="app">
      <BoardHeader
        title={title}
        machines={machines}
        status={live.status}
        serverNowMs={serverNowMs}
        account={account}
      />
      <ConnectionBanner status={live.status} lastDataAtMs={live.lastDataAtMs} />
      {window.location.pathname === '/maintenance' ? (
        <MaintenanceView alerts={live.alerts} />
      ) : (
        <>
          <AndonStrip alerts={live.alerts} />
          <PlantBoard
            machines={machines}
            serverNowMs={serverNowMs}
            seedKey={live.snapshotCount}
            waitingText={
              live.status === 'live' ? 'No machines in the plant model.' : 'Waiting for machines…'
            }
          />
        </>
      )}
    </div>
  );
}
