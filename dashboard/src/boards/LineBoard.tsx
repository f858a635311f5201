import { useMemo } from 'react';
import { PlainMessage } from '../components/PlainMessage';
import { PlantBoard } from '../components/PlantBoard';
import { useLive } from '../live/LiveContext';
import { useNow } from '../live/use-now';
import { usePlant } from '../plant/PlantContext';
import { useT } from '../i18n';
import { TEST_IDS } from '../testids';

/** One line: its machines (more to come: OEE gauge, output per hour, downtime, orders). */
export function LineBoard({ lineId }: { lineId: string }) {
  const live = useLive();
  const { plant } = usePlant();
  const { t } = useT();
  const now = useNow();
  const machines = useMemo(
    () => [...live.machines.values()].filter((m) => m.line === lineId),
    [live.machines, lineId],
  );
  if (plant && !plant.lines.some((l) => l.id === lineId))
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
      <PlantBoard
        machines={machines}
        serverNowMs={now + live.clockOffsetMs}
        seedKey={live.snapshotCount}
        waitingText={t('board.waitingMachines')}
      />
    </div>
  );
}
