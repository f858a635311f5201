import { useMemo } from 'react';
import { AndonStrip } from '../components/AndonStrip';
import { PlantBoard } from '../components/PlantBoard';
import { plannedModes } from '../lib/machine-state';
import { useLive } from '../live/LiveContext';
import { useNow } from '../live/use-now';
import { usePlant } from '../plant/PlantContext';
import { useT } from '../i18n';
import { useShiftOee } from './shift-oee';
import { tileFigures } from './tile-figures';

/**
 * The plant board: every machine as a tile, grouped by line, with the andon strip on top.
 * States and counts are live (socket.io); the shift's OEE is polled once a minute.
 */
export function PlantBoardView() {
  const live = useLive();
  const { plant } = usePlant();
  const { t } = useT();
  const now = useNow();
  const shift = useShiftOee();
  const machines = useMemo(() => [...live.machines.values()], [live.machines]);
  const planned = useMemo(() => plannedModes(plant as Parameters<typeof plannedModes>[0]), [plant]);
  const figures = useMemo(
    () =>
      shift.data
        ? tileFigures(machines, shift.data, shift.fetchedAtMs, now, plant, planned)
        : undefined,
    [machines, shift.data, shift.fetchedAtMs, now, plant, planned],
  );
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
