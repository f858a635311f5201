import type { CharacteristicConfig, PlantModel, SpcAlertRule } from '@takt/protocol';
import type { Pool } from 'pg';
import type { AlertRuntime } from '../alerts/runtime';
import { judged } from './chart';
import { dueInspections } from './due';
import { latestBaseline, latestSubgroups, type StoredSubgroup } from './store';

/** How many subgroups before the new ones a run rule may look back over (Nelson 7: 15 points). */
const LOOK_BACK = 100;

/** The `spc` rules in force that alert on this characteristic. */
export function spcRulesOf(runtime: AlertRuntime, characteristic: string): SpcAlertRule[] {
  return runtime.watcher.engine.ruleList.filter(
    (r): r is SpcAlertRule =>
      r.kind === 'spc' &&
      r.enabled &&
      (r.characteristics === undefined || r.characteristics.includes(characteristic)),
  );
}

/**
 * Newly stored subgroups of a characteristic, judged (docs/decisions.md "Issue 23 —
 * measurements, limits and spc alerts"): the run rules over the newest subgroups with the
 * limits in force (the frozen baseline, else phase I limits from those subgroups once there are
 * enough for a baseline); a violation at a new subgroup opens the alert of each `spc` rule that
 * names the characteristic and the run rule, at the subgroup's time. One alert per rule and
 * characteristic is open at a time (the engine's key), so later violations add nothing until
 * it is cleared. Resolves once stored.
 */
export async function judgeNewSubgroups(
  pool: Pool,
  runtime: AlertRuntime,
  c: CharacteristicConfig,
  fresh: readonly StoredSubgroup[],
): Promise<number> {
  const rules = spcRulesOf(runtime, c.id);
  if (rules.length === 0 || fresh.length === 0) return 0;
  const newest = Math.max(...fresh.map((s) => s.at));
  const stored = await latestSubgroups(pool, c.id, newest, LOOK_BACK + fresh.length);
  const baseline = await latestBaseline(pool, c.id);
  const { violations, used, limits } = judged(c, stored, baseline);
  if (!limits || (!baseline && used.length < 20)) return 0;
  const freshIds = new Set(fresh.map((s) => s.id));
  let opened = 0;
  for (const v of violations) {
    if (!freshIds.has(used[v.index]!.id)) continue;
    for (const rule of rules) {
      if (rule.rules && !rule.rules.includes(v.rule)) continue;
      const effects = runtime.watcher.engine.raise({
        rule: rule.id,
        subject: c.id,
        at: v.at,
        message: {
          key: 'alert.spc',
          params: {
            name: c.name,
            rule: { message: { key: `spc.rule.${v.rule}` } },
            at: { time: new Date(v.at).toISOString() },
            link: `/spc/${c.id}`,
          },
        },
      });
      opened += effects.filter((e) => e.kind === 'opened').length;
      await runtime.apply(effects);
    }
  }
  return opened;
}

/**
 * Overdue inspections of characteristics with `overdueAlert` open their `spc` rules' alert on
 * the characteristic, at the time the inspection was due (spc/due.ts). Judged on the alert
 * engine's poll clock by the spc-gauges consumer; one alert per rule and characteristic.
 */
export async function raiseOverdue(
  pool: Pool,
  runtime: AlertRuntime,
  plant: PlantModel | undefined,
  now: number,
): Promise<number> {
  const watched = (plant?.quality.characteristics ?? []).filter(
    (c) => c.overdueAlert && spcRulesOf(runtime, c.id).length > 0,
  );
  if (watched.length === 0) return 0;
  const due = await dueInspections(pool, plant, now, {});
  let opened = 0;
  for (const c of watched) {
    const late = due.find((d) => d.characteristic === c.id && d.overdue);
    if (!late) continue;
    for (const rule of spcRulesOf(runtime, c.id)) {
      const effects = runtime.watcher.engine.raise({
        rule: rule.id,
        subject: c.id,
        at: Date.parse(late.dueAt),
        message: {
          key: 'alert.spc-overdue',
          params: { name: c.name, at: { time: late.dueAt }, link: `/spc/${c.id}` },
        },
      });
      opened += effects.filter((e) => e.kind === 'opened').length;
      await runtime.apply(effects);
    }
  }
  return opened;
}
