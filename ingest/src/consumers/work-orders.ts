import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { dispatchCommit, dispatchMissed, type CommitWork } from '../domain/scan-dispatch';
import type { StationScan } from '../domain/scan-fold';
import { resolveReasonCards } from '../queries/stop-reasons';
import { rederive } from '../work-orders/apply';
import type { Consumer } from './types';

/** The consumer's name: routes that read orders wait for it (http/work-orders.ts). */
export const WORK_ORDERS_CONSUMER = 'work-orders';

/**
 * Scans and counts of a commit -> work orders, at their own edge time (work-orders/apply.ts),
 * and reason cards resolved against the states of their time. Which scan goes where is
 * decided by the pure domain/scan-dispatch.ts; this shell does the I/O. Durable: everything
 * is derived again from stored rows, so a commit missed before a stop is redone at the next
 * start.
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

  const run = async (work: CommitWork) => {
    if (work.rederive) logUnplaced(await rederive(pool, work.rederive));
    for (const [machine, ts] of work.reasons)
      for (const card of await resolveReasonCards(pool, machine, ts))
        log.info(
          { station: machine, code: card.code, ts: card.ts, reason: card.refused },
          'reason card not applied',
        );
  };

  return {
    name: WORK_ORDERS_CONSUMER,
    // dispatchCommit of joined commits re-derives from their earliest time over all their
    // machines: what each in turn would have re-derived, once.
    coalesces: true,
    async start(ctx) {
      ({ pool, log } = ctx);
    },
    async onCommitted(batch) {
      await run(dispatchCommit(batch));
    },
    async catchUp(missed) {
      await run(dispatchMissed(missed));
    },
    async stop() {},
  };
}
