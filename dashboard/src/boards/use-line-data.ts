import { useMemo } from 'react';
import type { PlantModel } from '../plant/plant-model';
import { byUrgency, type BoardOrder } from '../lib/order-urgency';
import { useT } from '../i18n';
import { lineOutput, reasonName, topStops, type MachineOutput } from './line-figures';
import type { DowntimeRow, OeeFigures } from './LinePanels';
import { ORDERS_POLL_MS } from './OrdersBoard';
import { SHIFT_OEE_POLL_MS } from './shift-oee';
import { usePoll, usePollAll } from './use-poll';

interface DowntimeAnswer {
  reasons: { reason: string; state: string; durationMs: number; stops: number }[];
}

const TOP_REASONS = 5;
const MAX_ORDERS = 6;

/**
 * What the line board polls (once a minute; orders every 15 s), over the shift from `from`
 * (the plant board's shift window) to now: the line's OEE, its longest stops, its machines'
 * output per hour summed, and the open orders whose current operation is on the line.
 */
export function useLineData(
  plant: PlantModel | null,
  lineId: string,
  machineIds: readonly string[],
  from: string | null,
) {
  const { t } = useT();
  const known = plant?.lines.some((l) => l.id === lineId) ?? false;
  const span = from && known ? `from=${encodeURIComponent(from)}&to={now}` : null;
  const line = encodeURIComponent(lineId);
  const oee = usePoll<OeeFigures>(span && `/api/oee?line=${line}&${span}`, SHIFT_OEE_POLL_MS);
  const downtime = usePoll<DowntimeAnswer>(
    span && `/api/downtime?line=${line}&${span}`,
    SHIFT_OEE_POLL_MS,
  );
  const outputs = usePollAll<MachineOutput>(
    span && machineIds.length > 0
      ? machineIds.map((id) => `/api/output?machine=${encodeURIComponent(id)}&${span}`)
      : null,
    SHIFT_OEE_POLL_MS,
  );
  const orders = usePoll<BoardOrder[]>(known ? '/api/work-orders?limit=500' : null, ORDERS_POLL_MS);

  const hours = useMemo(() => lineOutput(plant, outputs.data ?? []), [plant, outputs.data]);
  const stops = useMemo<DowntimeRow[] | null>(
    () =>
      downtime.data
        ? topStops(
            downtime.data.reasons.map((r) => ({
              // Time without data is shown as such: nobody can explain what was never seen.
              name:
                r.reason !== 'unassigned'
                  ? (reasonName(plant, r.reason) ?? t('state.unknown'))
                  : r.state === 'unknown'
                    ? t('state.unknown')
                    : t('line.unassigned'),
              durationMs: r.durationMs,
              stops: r.stops,
            })),
            TOP_REASONS,
          )
        : null,
    [downtime.data, plant, t],
  );
  const lineOrders = useMemo(() => {
    const ids = new Set(machineIds);
    return byUrgency(
      (orders.data ?? []).filter(
        (o) =>
          o.status !== 'completed' && !!o.currentOperation && ids.has(o.currentOperation.machine),
      ),
    ).slice(0, MAX_ORDERS);
  }, [orders.data, machineIds]);
  return { oee: oee.data, hours, stops, orders: lineOrders };
}
