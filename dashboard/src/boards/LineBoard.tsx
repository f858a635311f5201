import { useMemo } from 'react';
import { PlainMessage } from '../components/PlainMessage';
import { PlantBoard } from '../components/PlantBoard';
import { useLive } from '../live/LiveContext';
import { useNow } from '../live/use-now';
import { lineTargets } from '../plant/plant-model';
import { usePlant } from '../plant/PlantContext';
import { useT } from '../i18n';
import { TEST_IDS } from '../testids';
import {
  DowntimePanel,
  LineOrdersPanel,
  OeePanel,
  OutputPanel,
  ShiftClockPanel,
} from './LinePanels';
import { useTileFigures } from './shift-oee';
import { useLineData } from './use-line-data';

/**
 * One line (issue 8): OEE gauge with A / P / Q, good pieces per hour against target, the
 * shift's longest stops, its active work orders and its machines, and the shift clock.
 */
export function LineBoard({ lineId }: { lineId: string }) {
  const live = useLive();
  const { plant } = usePlant();
  const { t } = useT();
  const now = useNow();
  const line = plant?.lines.find((l) => l.id === lineId);
  const machines = useMemo(
    () => [...live.machines.values()].filter((m) => m.line === lineId),
    [live.machines, lineId],
  );
  const machineIds = useMemo(() => line?.machines.map((m) => m.id) ?? [], [line]);
  const { shift, planned, figures } = useTileFigures(machines, now);
  const data = useLineData(plant, lineId, machineIds, shift.data?.from ?? null);

  if (plant && !line)
    return (
      <PlainMessage
        text={t('board.unknownLine', {
          line: lineId,
          lines: plant.lines.map((l) => l.id).join(', '),
        })}
      />
    );
  return (
    <div className="line-board" data-testid={TEST_IDS.lineBoard} data-line-id={lineId}>
      <header className="line-board__head">
        <h2 className="line-board__name">{line?.name ?? lineId}</h2>
        <ShiftClockPanel shift={shift.data} nowMs={now + live.clockOffsetMs} />
      </header>
      <div className="line-board__top">
        <OeePanel figures={data.oee} target={plant ? lineTargets(plant, lineId).oee : undefined} />
        <OutputPanel hours={data.hours} />
        <DowntimePanel rows={data.stops} />
      </div>
      <div className="line-board__bottom">
        <LineOrdersPanel orders={data.orders} />
        <div className="line-board__machines">
          <PlantBoard
            machines={machines}
            serverNowMs={now + live.clockOffsetMs}
            seedKey={live.snapshotCount}
            waitingText={t('board.waitingMachines')}
            figures={figures}
            planned={planned}
          />
        </div>
      </div>
    </div>
  );
}
