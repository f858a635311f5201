// Bundles the edge agent into plain JavaScript (edge-agent/dist/edge-agent.mjs) so that a
// gateway runs it with `node` alone: no TypeScript loader (tsx costs ~40 MB of RSS) on a
// 1 GB Pi. Our workspace code is bundled; npm packages stay external and load from
// node_modules (serialport's native prebuilds, node-opcua's data files).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { URL } from 'node:url';
import { build } from 'esbuild';

const pkg = (dir) =>
  JSON.parse(readFileSync(new URL(`../${dir}/package.json`, import.meta.url), 'utf8'));
const external = [
  ...new Set([
    ...Object.keys(pkg('edge-agent').dependencies),
    ...Object.keys(pkg('protocol').dependencies),
  ]),
]
  .filter((name) => !name.startsWith('@takt/'))
  .flatMap((name) => [name, `${name}/*`]);

// Old chunks would pile up beside the new ones (their names carry a hash); tsc's types stay.
const outdir = new URL('dist/', import.meta.url).pathname;
for (const file of (() => {
  try {
    return readdirSync(outdir);
  } catch {
    return [];
  }
})()) {
  if (/\.mjs(\.map)?$/.test(file)) rmSync(outdir + file);
}

await build({
  entryPoints: {
    'edge-agent': new URL('src/main.ts', import.meta.url).pathname,
    'validate-configs': new URL('src/cli/validate-configs.ts', import.meta.url).pathname,
    // The root updater of signed agent updates (src/update/updater.ts).
    updater: new URL('src/update/updater-main.ts', import.meta.url).pathname,
  },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  sourcemap: true,
  logLevel: 'warning',
});
