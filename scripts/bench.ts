/**
 * `npm run bench [-- name ...]`: runs the named benchmarks (all by default), prints a table
 * each and writes bench/results/<name>.json. Figures are reported beside a baseline run in
 * the same process, as ratios; nothing here is a pass/fail test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { benchBroker } from '../bench/broker';
import { benchAlerts } from '../bench/alerts';
import { benchEdge } from '../bench/edge';
import { benchIngest } from '../bench/ingest';

const benches: Record<string, () => Promise<Record<string, unknown>>> = {
  ingest: benchIngest,
  edge: benchEdge,
  broker: benchBroker,
  alerts: benchAlerts,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
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
