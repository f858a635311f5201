import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { resolveReasonCards } from '../queries/stop-reasons';
import { applyScans, rederive } from '../work-orders/apply';
import type { StationScan } from '../domain/scan-fold';
import type { Consumer } from './types';

/** The consumer's name: routes that read orders wait for it (http/work-orders.ts). */
export const WORK_ORDERS_CONSUMER = 'work-orders';

/**
 * Scans and counts of a commit -> work orders, at their own edge time (work-orders/apply.ts),
 * and reason cards resolved against the states of their time. Durable: everything is derived
 * again from stored rows, so a commit missed before a stop is redone at the next start.
 */
export function workOrdersConsumer(): Consumer {
  let pool: Pool;
  let log: Logger;

  const logUnplaced = (unplaced: readonly StationScan[]) => {
    for (const scan of unplaced)
      log.info(
        { station: scan.station, code: scan.code, ts: scan.ts },
        'scan names no order and none ran at the station then',
      );
  };

  /**
   * Reason cards explain the stop of their own time; states may come after the card, so a
   * machine's cards from the earliest new card or state on are resolved again.
   */
  const resolveReasons = async (since: ReadonlyMap<string, number>) => {
    for (const [machine, ts] of since)
      for (const card of await resolveReasonCards(pool, machine, ts))
        log.info(
          { station: machine, code: card.code, ts: card.ts, reason: card.refused },
          'reason card not applied',
        );
  };

  return {
    name: WORK_ORDERS_CONSUMER,
    async start(ctx) {
      ({ pool, log } = ctx);
    },
    async onCommitted(batch) {
      if (batch.scans.length === 0 && batch.counts.length === 0 && batch.states.length === 0)
        return;
      logUnplaced(
        await applyScans(
          pool,
          batch.scans.map((s) => ({ ts: s.payload.ts, action: s.payload.action ?? '' })),
          batch.counts,
        ),
      );
      const since = new Map<string, number>();
      for (const m of [...batch.scans, ...batch.states]) {
        if (m.kind === 'scan' && m.payload.action?.toLowerCase() !== 'reason') continue;
        since.set(m.machineId, Math.min(since.get(m.machineId) ?? Infinity, m.payload.ts));
      }
      await resolveReasons(since);
    },
    async catchUp(missed) {
      const machines = [...missed.machines];
      logUnplaced(
        await rederive(pool, {
          scansFromMs: missed.fromMs,
          counts: { fromMs: missed.fromMs, machines },
        }),
      );
      await resolveReasons(new Map(machines.map((m) => [m, missed.fromMs])));
    },
    async stop() {},
  };
}
