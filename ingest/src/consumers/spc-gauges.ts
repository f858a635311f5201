import { SPC_EVENTS, type CharacteristicConfig } from '@takt/protocol';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Server as SocketServer } from 'socket.io';
import type { AlertRuntime } from '../alerts/runtime';
import { judgeNewSubgroups, raiseOverdue } from '../spc/alerts';
import { gaugeIndex, takeGaugeReadings, type GaugeReading } from '../spc/gauge';
import type { Consumer } from './types';

/**
 * Gauges (docs/decisions.md "Issue 23 — measurements, limits and spc alerts"): each stored
 * reading of a machine tag a characteristic names as its `gauge` becomes a value of that
 * characteristic at the reading's event time; full runs of `subgroupSize` readings become
 * subgroups (spc/gauge.ts), judged by the `spc` alert rules and pushed to the screens.
 * Bad-quality and non-numeric readings are no measurement. Durable: a commit not finished
 * before a stop is redone from the stored samples; a reading kept already adds nothing.
 * On the alert engine's poll clock it also opens the `spc` alerts of overdue inspections
 * (characteristics with `overdueAlert`).
 */
export function spcGaugesConsumer(): Consumer {
  let pool: Pool;
  let log: Logger;
  let io: SocketServer;
  let runtime: AlertRuntime;
  let index = new Map<string, CharacteristicConfig>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;

  const take = async (byCharacteristic: Map<CharacteristicConfig, GaugeReading[]>) => {
    for (const [c, readings] of byCharacteristic) {
      const fresh = await takeGaugeReadings(pool, c, readings);
      if (fresh.length === 0) continue;
      for (const s of fresh)
        io.to('plant').emit(SPC_EVENTS.subgroup, {
          characteristic: c.id,
          at: new Date(s.at).toISOString(),
        });
      const opened = await judgeNewSubgroups(pool, runtime, c, fresh);
      log.debug({ characteristic: c.id, subgroups: fresh.length, opened }, 'gauge subgroups');
    }
  };

  const add = (
    into: Map<CharacteristicConfig, GaugeReading[]>,
    machine: string,
    tag: string,
    value: unknown,
    at: number,
  ) => {
    const c = index.get(`${machine}/${tag}`);
    if (!c || typeof value !== 'number' || !Number.isFinite(value)) return;
    const list = into.get(c) ?? [];
    list.push({ at, value });
    into.set(c, list);
  };

  return {
    name: 'spc-gauges',
    async start(ctx) {
      ({ pool, log, io } = ctx);
      runtime = ctx.alerts;
      index = gaugeIndex(ctx.plant);
      const plant = ctx.plant;
      if (plant?.quality.characteristics.some((c) => c.overdueAlert))
        timer = setInterval(() => {
          if (polling) return;
          polling = true;
          raiseOverdue(pool, runtime, plant, ctx.now())
            .catch((error: Error) =>
              log.error({ err: error.message }, 'overdue inspections not judged'),
            )
            .finally(() => (polling = false));
        }, ctx.alertSettings.pollMs);
    },
    async onCommitted(batch) {
      if (index.size === 0) return;
      const readings = new Map<CharacteristicConfig, GaugeReading[]>();
      for (const m of batch.metrics)
        for (const r of m.payload.readings)
          if (r.quality !== 'bad') add(readings, m.machineId, r.tag, r.value, r.ts);
      await take(readings);
    },
    async catchUp(missed) {
      if (index.size === 0) return;
      const readings = new Map<CharacteristicConfig, GaugeReading[]>();
      for (const c of index.values()) {
        if (!missed.machines.has(c.gauge!.machine)) continue;
        const { rows } = await pool.query<{ time: Date; value: number }>(
          `SELECT time, value FROM samples
            WHERE machine_id = $1 AND tag = $2 AND time >= $3 AND quality < 2 AND value IS NOT NULL
            ORDER BY time`,
          [c.gauge!.machine, c.gauge!.tag, new Date(missed.fromMs)],
        );
        for (const r of rows)
          add(readings, c.gauge!.machine, c.gauge!.tag, Number(r.value), r.time.getTime());
      }
      await take(readings);
    },
    async stop() {
      if (timer) clearInterval(timer);
    },
  };
}
