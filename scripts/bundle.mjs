// Bundles a service into plain JavaScript (<workspace>/dist/*.mjs) so that its production
// image runs it with `node` alone, as a Pi runs the edge agent (edge-agent/build.mjs): no
// TypeScript loader at run time (docs/deployment.md "Images").
//   node scripts/bundle.mjs broker|ingest|sim
// Our workspace code is bundled; npm packages stay external and load from node_modules.
// `import.meta.url` keeps meaning the source file's place (the bundle sits in
// <workspace>/dist/, one level below the sources' <workspace>/src/), so paths such as
// ingest's `../../migrations/` and `../../dashboard/dist/app` still resolve.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import process from 'node:process';
import { URL } from 'node:url';
import { build } from 'esbuild';

const ENTRIES = {
  broker: { broker: 'src/main.ts', accounts: 'src/cli/accounts.ts' },
  // The import worker is an entry of its own: ingest starts it as a file beside its bundle
  // (ingest/src/work-orders/import-reader.ts).
  ingest: {
    ingest: 'src/main.ts',
    admin: 'src/cli/admin.ts',
    'import-worker': 'src/work-orders/import-worker.ts',
  },
  sim: { sim: 'src/main.ts' },
};

const workspace = process.argv[2];
if (!ENTRIES[workspace]) {
  process.stderr.write(`usage: node scripts/bundle.mjs ${Object.keys(ENTRIES).join('|')}\n`);
  process.exit(2);
}
const root = new URL('../', import.meta.url).pathname;
const dir = `${root}${workspace}/`;
const outdir = `${dir}dist/`;

const pkg = (name) => JSON.parse(readFileSync(`${root}${name}/package.json`, 'utf8'));
const external = [
  ...new Set([
    ...Object.keys(pkg(workspace).dependencies),
    ...Object.keys(pkg('protocol').dependencies),
  ]),
]
  .filter((name) => !name.startsWith('@takt/'))
  .flatMap((name) => [name, `${name}/*`]);

/** Each source file's `import.meta.url` becomes its source's URL, computed from the chunk's. */
const sourceUrls = {
  name: 'source-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\/(broker|ingest|sim|protocol)\/src\/.*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const rel = relative(outdir, args.path);
      return {
        contents: text.replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(rel)}, import.meta.url).href`,
        ),
        loader: 'ts',
        resolveDir: dirname(args.path),
      };
    });
  },
};

// Old chunks would pile up beside the new ones (their names carry a hash).
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
  entryPoints: Object.fromEntries(
    Object.entries(ENTRIES[workspace]).map(([name, src]) => [name, dir + src]),
  ),
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  plugins: [sourceUrls],
  // Tells bundled code it runs as a bundle (import.meta.url names the source, see above).
  define: { 'process.env.TAKT_BUNDLE': '"1"' },
  sourcemap: true,
  logLevel: 'warning',
});
