import { api } from '@takt/protocol/api';
import { useMemo } from 'react';
import { NOW } from '../lib/api';
import type { PlantModel } from '../plant/plant-model';
import { byUrgency } from '../lib/order-urgency';
import { useT } from '../i18n';
import { lineOutput, reasonName, topStops } from './line-figures';
import type { DowntimeRow } from './LinePanels';
import { ORDERS_POLL_MS } from './OrdersBoard';
import { SHIFT_OEE_POLL_MS } from './shift-oee';
import { usePollRoute } from './use-poll';

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
  const span = from && known ? { from, to: NOW } : null;
  const oee = usePollRoute(
    api.oee.oee,
    span && { query: { line: lineId, ...span } },
    SHIFT_OEE_POLL_MS,
  );
  const downtime = usePollRoute(
    api.oee.downtime,
    span && { query: { line: lineId, ...span } },
    SHIFT_OEE_POLL_MS,
  );
  // The line's machines in one request (each machine's hours in `machines`).
  const outputs = usePollRoute(
    api.oee.output,
    span && machineIds.length > 0 ? { query: { line: lineId, ...span } } : null,
    SHIFT_OEE_POLL_MS,
  );
  const orders = usePollRoute(
    api.orders.list,
    known ? { query: { limit: 500 } } : null,
    ORDERS_POLL_MS,
  );

  const hours = useMemo(
    () => lineOutput(plant, outputs.data?.machines ?? []),
    [plant, outputs.data],
  );
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
