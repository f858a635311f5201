import { useMemo } from 'react';
import { AndonStrip } from '../components/AndonStrip';
import { PlantBoard } from '../components/PlantBoard';
import { useLive } from '../live/LiveContext';
import { useNow } from '../live/use-now';
import { useT } from '../i18n';
import { useTileFigures } from './shift-oee';

/**
 * The plant board: every machine as a tile, grouped by line, with the andon strip on top.
 * States and counts are live (socket.io); the shift's OEE is polled once a minute.
 */
export function PlantBoardView() {
  const live = useLive();
  const { t } = useT();
  const now = useNow();
  const machines = useMemo(() => [...live.machines.values()], [live.machines]);
  const { planned, figures } = useTileFigures(machines, now);
  return (
    <>
      <AndonStrip alerts={live.alerts} />
      <PlantBoard
        machines={machines}
        serverNowMs={now + live.clockOffsetMs}
        seedKey={live.snapshotCount}
        waitingText={live.status === 'live' ? t('board.noMachines') : t('board.waitingMachines')}
        figures={figures}
        planned={planned}
      />
    </>
  );
}
