import { alertRuleSchema, type AlertRule } from '@takt/protocol';
import { AlertEngine } from '../ingest/src/alerts/engine';
import { AlertWatcher } from '../ingest/src/alerts/stream';
import { printTable } from './table';

const MACHINES = 1000;
const TAGS = 5;
const READINGS = 400_000;

function rules(count: number): AlertRule[] {
  return Array.from({ length: count }, (_, i) =>
    alertRuleSchema.parse({
      id: `r${i}`,
      kind: i % 2 === 0 ? 'threshold' : 'rate',
      // Rule i watches one (machine, tag); beyond MACHINES × TAGS rules, several share one.
      machines: [`m${i % MACHINES}`],
      tag: `t${Math.floor(i / MACHINES) % TAGS}`,
      ...(i % 2 === 0 ? { above: 90, forS: 5, clearMargin: 2 } : { perMinute: 50 }),
    }),
  );
}

/** Readings per second through the alert watcher (the stream side of the rules). */
function run(ruleCount: number): number {
  const watcher = new AlertWatcher(new AlertEngine(rules(ruleCount), 'UTC'), 0);
  const t0 = performance.now();
  let ts = 1;
  for (let i = 0; i < READINGS; i++) {
    // A slow sine between 40 and 100: rules open and clear as it goes.
    const value = 70 + 30 * Math.sin(i / 5000);
    // Every (machine, tag) in turn: machine i % MACHINES, tag floor(i / MACHINES) % TAGS.
    const m = i % MACHINES;
    const t = Math.floor(i / MACHINES) % TAGS;
    watcher.sample({ machine: `m${m}`, tag: `t${t}`, value, ts: ts++ });
    if (i % 10_000 === 0) watcher.tick(ts); // the clock: once a second at 10k readings/s
  }
  return READINGS / ((performance.now() - t0) / 1000);
}

/** The alert engine's cost per reading as the rule count grows, against no rules at all. */
export async function benchAlerts(): Promise<Record<string, unknown>> {
  const counts = [0, 100, 1000, 5000];
  const rates = counts.map((c) => ({ rules: c, readingsPerSec: Math.round(run(c)) }));
  const baseline = rates[0]!.readingsPerSec;
  printTable([
    ['rules', 'readings/s', 'vs no rules'],
    ...rates.map((r) => [
      String(r.rules),
      String(r.readingsPerSec),
      `${(r.readingsPerSec / baseline).toFixed(2)}×`,
    ]),
  ]);
  return { machines: MACHINES, tagsPerMachine: TAGS, readings: READINGS, rates };
}
