import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { andonCallOf, isAndonScan } from '../alerts/andon';
import type { AlertRuntime } from '../alerts/runtime';
import { andonScansSince, type StoredCall } from '../queries/andon';
import type { Consumer } from './types';

/**
 * Andon calls of a commit -> alerts (docs/decisions.md "Issue 17 — andon calls"): a station's
 * `andon` scan opens the alert of the rule whose call it names, at the station, at the scan's
 * edge time, through the alert engine (alerts/runtime.ts `call`), which stores and delivers
 * it. A call no rule offers at the station stays a stored scan and is logged. Durable: a
 * call committed but not opened before a stop is opened at the next start from the stored
 * scans; a call answered already (the same scan again) opens nothing, so redoing is safe.
 */
export function andonConsumer(): Consumer {
  let pool: Pool;
  let log: Logger;
  let runtime: AlertRuntime;

  const open = async (calls: readonly StoredCall[]) => {
    for (const c of calls) {
      const fields = { station: c.station, call: c.reason, ts: new Date(c.ts).toISOString() };
      const found = andonCallOf(runtime.watcher.engine.ruleList, {
        station: c.station,
        action: 'andon',
        reason: c.reason ?? undefined,
      });
      if (!found.ok) {
        log.info({ ...fields, refusal: found.reason }, 'andon call not opened: no rule offers it');
        continue;
      }
      const done = await runtime.call(found.rule, c.station, c.ts, c.operator ?? undefined);
      if (done === 'answered') log.info(fields, 'andon call already open or answered');
    }
  };

  return {
    name: 'andon',
    async start(ctx) {
      ({ pool, log } = ctx);
      runtime = ctx.alerts;
    },
    async onCommitted(batch) {
      const calls = batch.scans
        .filter((m) => isAndonScan(m.payload))
        .map((m) => ({
          station: m.machineId,
          ts: m.payload.ts,
          reason: m.payload.reason ?? null,
          operator: m.payload.operator ?? null,
        }))
        .sort((a, b) => a.ts - b.ts);
      if (calls.length > 0) await open(calls);
    },
    async catchUp(missed) {
      await open(await andonScansSince(pool, [...missed.machines], missed.fromMs));
    },
    async stop() {},
  };
}
