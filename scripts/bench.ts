/**
 * `npm run bench [-- name ...]`: runs the named benchmarks (all by default), prints a table
 * each and writes bench/results/<name>.json. Figures are reported beside a baseline run in
 * the same process, as ratios; nothing here is a pass/fail test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { benchBroker } from '../bench/broker';
import { benchAlerts } from '../bench/alerts';
import { benchDashboard } from '../bench/dashboard';
import { benchEdge } from '../bench/edge';
import { benchImports } from '../bench/imports';
import { benchPromise } from '../bench/promise';
import { benchIngest } from '../bench/ingest';
import { benchPlant } from '../bench/plant';
import { benchRuntime } from '../bench/runtime';
import { benchRoutes } from '../bench/routes';

const argv = process.argv.slice(2);
const benches: Record<string, () => Promise<Record<string, unknown>>> = {
  // `--step-seconds N` (60) shortens the sustained steps (bench/ingest-sustained.ts).
  ingest: () => benchIngest(argv),
  edge: benchEdge,
  broker: benchBroker,
  alerts: benchAlerts,
  // The broker under tsx against its bundle: start time and RSS (docs/deployment.md "Images").
  runtime: benchRuntime,
  // Issue 18: the time to refuse a 6 kB workbook declaring 4 million cells.
  imports: benchImports,
  // Issue 21: promise dates against a replayed shop's real finishes, and plan time 500×50.
  promise: benchPromise,
  // A browser on a 200-machine board for 10 minutes (`--minutes N` to shorten).
  dashboard: () => benchDashboard(argv),
  // Issue 22: API routes on a seeded plant of 200 and 1,000 machines (`--machines N,M`).
  routes: () => benchRoutes(argv),
  // Issue 22: a whole plant of N machines, each part its own process (`--machines N --minutes M`).
  plant: () => benchPlant(argv),
};

/** Options that take a value: that value is not a bench name. */
const VALUED = new Set([
  '--minutes',
  '--machines',
  '--rounds',
  '--step-seconds',
  '--steps',
  '--writers',
]);
const wanted = argv.filter((a, i) => !a.startsWith('-') && !VALUED.has(argv[i - 1] ?? ''));
const names = wanted.length > 0 ? wanted : Object.keys(benches);
const unknown = names.filter((n) => !(n in benches));
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')} (known: ${Object.keys(benches).join(', ')})`);
  process.exit(2);
}
const dir = resolve(import.meta.dirname, '../bench/results');
mkdirSync(dir, { recursive: true });
for (const name of names) {
  console.log(`\n== bench: ${name}`);
  const result = await benches[name]!();
  const file = resolve(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({ name, at: new Date().toISOString(), ...result }, null, 2) + '\n',
  );
  console.log(`written ${file}`);
}
