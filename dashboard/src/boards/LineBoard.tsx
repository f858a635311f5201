import { useMemo } from 'react';
import { PlainMessage } from '../components/PlainMessage';
import { PlantBoard } from '../components/PlantBoard';
import { plannedModes } from '../lib/machine-state';
import { byUrgency, type BoardOrder } from '../lib/order-urgency';
import { useLive } from '../live/LiveContext';
import { useNow } from '../live/use-now';
import { lineTargets } from '../plant/plant-model';
import { usePlant } from '../plant/PlantContext';
import { useT } from '../i18n';
import { TEST_IDS } from '../testids';
import { lineOutput, reasonName, type MachineOutput } from './line-figures';
import {
  DowntimePanel,
  LineOrdersPanel,
  OeePanel,
  OutputPanel,
  ShiftClockPanel,
  type OeeFigures,
} from './LinePanels';
import { ORDERS_POLL_MS } from './OrdersBoard';
import { SHIFT_OEE_POLL_MS, useShiftOee } from './shift-oee';
import { tileFigures } from './tile-figures';
import { usePoll, usePollAll } from './use-poll';

interface DowntimeAnswer {
  reasons: { reason: string; state: string; durationMs: number; stops: number }[];
}

const TOP_REASONS = 5;
const MAX_ORDERS = 6;

/**
 * One line (issue 8): OEE gauge with A / P / Q, good pieces per hour against target, the
 * shift's longest stops, its active work orders and its machines, and the shift clock.
 */
export function LineBoard({ lineId }: { lineId: string }) {
  const live = useLive();
  const { plant } = usePlant();
  const { t } = useT();
  const now = useNow();
  const shift = useShiftOee();
  const line = plant?.lines.find((l) => l.id === lineId);
  const machines = useMemo(
    () => [...live.machines.values()].filter((m) => m.line === lineId),
    [live.machines, lineId],
  );
  const machineIds = useMemo(
    () => (line ? line.machines.map((m) => m.id) : machines.map((m) => m.id)),
    [line, machines],
  );
  const from = shift.data?.from ?? null;
  const span = from ? `from=${encodeURIComponent(from)}&to={now}` : null;
  const oee = usePoll<OeeFigures>(
    span && line ? `/api/oee?line=${encodeURIComponent(lineId)}&${span}` : null,
    SHIFT_OEE_POLL_MS,
  );
  const downtime = usePoll<DowntimeAnswer>(
    span && line ? `/api/downtime?line=${encodeURIComponent(lineId)}&${span}` : null,
    SHIFT_OEE_POLL_MS,
  );
  const outputs = usePollAll<MachineOutput>(
    span && line && machineIds.length > 0
      ? machineIds.map((id) => `/api/output?machine=${encodeURIComponent(id)}&${span}`)
      : null,
    SHIFT_OEE_POLL_MS,
  );
  const orders = usePoll<BoardOrder[]>(line ? '/api/work-orders?limit=500' : null, ORDERS_POLL_MS);

  const planned = useMemo(() => plannedModes(plant as Parameters<typeof plannedModes>[0]), [plant]);
  const figures = useMemo(
    () =>
      shift.data
        ? tileFigures(machines, shift.data, shift.fetchedAtMs, now, plant, planned)
        : undefined,
    [machines, shift.data, shift.fetchedAtMs, now, plant, planned],
  );
  const hours = useMemo(() => lineOutput(plant, outputs.data ?? []), [plant, outputs.data]);
  const stops = useMemo(
    () =>
      downtime.data?.reasons.slice(0, TOP_REASONS).map((r) => ({
        // Time without data is shown as such: nobody can explain what was never seen.
        name:
          r.reason !== 'unassigned'
            ? reasonName(plant, r.reason)
            : r.state === 'unknown'
              ? t('state.unknown')
              : t('line.unassigned'),
        durationMs: r.durationMs,
        stops: r.stops,
      })) ?? null,
    [downtime.data, plant, t],
  );
  const lineOrders = useMemo(() => {
    const ids = new Set(machineIds);
    return byUrgency(
      (orders.data ?? []).filter(
        (o) =>
          o.status !== 'completed' && o.currentOperation && ids.has(o.currentOperation.machine),
      ),
    ).slice(0, MAX_ORDERS);
  }, [orders.data, machineIds]);

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
        <OeePanel figures={oee.data} target={plant ? lineTargets(plant, lineId).oee : undefined} />
        <OutputPanel hours={hours} />
        <DowntimePanel rows={stops} />
      </div>
      <div className="line-board__bottom">
        <LineOrdersPanel orders={lineOrders} />
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
