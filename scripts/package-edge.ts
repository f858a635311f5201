// `npm run package:edge`: the offline install package of the edge agent, one archive per
// architecture, dist/takt-edge-<version>-<arch>.tar.gz (docs/deployment.md "Install package").
// Each holds the bundled agent (edge-agent/build.mjs), only the npm packages the bundle
// imports and what they depend on, copied from this repository's installed node_modules as
// package-lock.json places them (no network), serialport's prebuilt bindings for that
// architecture only, the systemd unit, the install script and a manifest with the sha256 of
// every file. Decisions: docs/decisions.md "Issue 25 — the edge install package".
// With a release key (Ed25519, PKCS#8 PEM) each archive gets a `.sig` beside it
// (docs/decisions.md "Issue 25 — signed agent updates (gateway)").
//   npm run package:edge [-- [--arch x64] [--sign-key key.pem] [--out DIR] [arm64 armv7 x64]]
//   TAKT_PACKAGE_SIGNING_KEY_FILE=key.pem npm run package:edge
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import process from 'node:process';
import { packageSignedText, type PackageSignatureFile } from '@takt/protocol';

const REPO = join(import.meta.dirname, '..');

/** What an archive targets: Node's `process.arch`, `uname -m` names, serialport's prebuild folder. */
export const ARCHES = {
  arm64: { nodeArch: 'arm64', uname: ['aarch64', 'arm64'], prebuilds: 'linux-arm64' },
  armv7: { nodeArch: 'arm', uname: ['armv7l', 'armv8l'], prebuilds: 'linux-arm' },
  x64: { nodeArch: 'x64', uname: ['x86_64', 'amd64'], prebuilds: 'linux-x64' },
} as const;
export type EdgeArch = keyof typeof ARCHES;

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  os?: string[];
  cpu?: string[];
  link?: boolean;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** Bare package names the bundle imports (`from "mqtt"`, `import("node-opcua")`), not node:. */
export function bundleImports(distDir: string): string[] {
  const names = new Set<string>();
  for (const file of readdirSync(distDir).filter((f) => f.endsWith('.mjs'))) {
    const text = readFileSync(join(distDir, file), 'utf8');
    // esbuild writes static imports at the start of a line; dynamic ones as import("x").
    const specs = [
      ...text.matchAll(/^import\s[^;]*?from\s*"([^"]+)";|^import\s*"([^"]+)";/gm),
      ...text.matchAll(/\bimport\("([^"]+)"\)|\b__require\("([^"]+)"\)/g),
    ].map((m) => (m[1] ?? m[2])!);
    for (const spec of specs) {
      if (spec.startsWith('.')) continue;
      if (spec.startsWith('node:')) continue;
      const parts = spec.split('/');
      names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  return [...names].sort();
}

/**
 * The lockfile paths (`node_modules/a`, `node_modules/a/node_modules/b`) of `roots` and their
 * dependencies, resolved as Node does (nearest node_modules upwards). A package restricted to
 * other CPUs (`cpu` in the lockfile) is left out; one needed for this CPU but not installed
 * here stops the build with its name, since packaging never downloads.
 */
export function dependencyClosure(
  lock: Record<string, LockEntry>,
  roots: string[],
  arch: EdgeArch,
): string[] {
  const nodeArch = ARCHES[arch].nodeArch;
  const found = new Set<string>();
  const resolve = (from: string, name: string): string | undefined => {
    let dir = from;
    for (;;) {
      const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (lock[candidate]) return candidate;
      if (!dir) return undefined;
      const i = dir.lastIndexOf('/node_modules/');
      dir = i < 0 ? '' : dir.slice(0, i);
    }
  };
  const visit = (from: string, name: string, optional: boolean) => {
    const path = resolve(from, name);
    if (!path) {
      if (optional) return;
      throw new Error(`${name} (needed by ${from || 'the bundle'}) is not in package-lock.json`);
    }
    const entry = lock[path]!;
    if (entry.os && !entry.os.includes('linux')) return;
    if (entry.cpu && !entry.cpu.includes(nodeArch)) return;
    if (found.has(path)) return;
    if (!existsSync(join(REPO, path, 'package.json'))) {
      if (optional && !entry.cpu) return;
      throw new Error(
        `${path} is needed for ${arch} but not installed here; install it first (npm install --cpu=${nodeArch} --os=linux)`,
      );
    }
    found.add(path);
    for (const dep of Object.keys(entry.dependencies ?? {})) visit(path, dep, false);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) visit(path, dep, true);
    for (const dep of Object.keys(entry.peerDependencies ?? {}))
      visit(path, dep, entry.peerDependenciesMeta?.[dep]?.optional ?? false);
  };
  for (const name of roots) visit('', name, false);
  return [...found].sort();
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Every regular file under `dir`, relative, sorted. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/**
 * Signs an archive with the release key: `<archive>.sig` holds
 * `{v, version, arch, sha256, signature}` over packageSignedText (protocol/src/agent-update.ts).
 */
export function signArchive(
  archive: string,
  version: string,
  arch: EdgeArch,
  privateKeyPem: string,
): PackageSignatureFile {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`the signing key is ${key.asymmetricKeyType}, not Ed25519`);
  const sha256 = createHash('sha256').update(readFileSync(archive)).digest('hex');
  const signature = sign(null, Buffer.from(packageSignedText(version, arch, sha256)), key);
  const sig: PackageSignatureFile = {
    v: 1,
    version,
    arch,
    sha256,
    signature: signature.toString('base64'),
  };
  writeFileSync(`${archive}.sig`, JSON.stringify(sig) + '\n');
  return sig;
}

export interface PackageResult {
  arch: EdgeArch;
  archive: string;
  /** The `.sig` file, when a signing key was given. */
  signatureFile?: string;
  packages: number;
  files: number;
  bytes: number;
}

/** Builds the agent once, then one archive per architecture into `outDir`. */
export function packageEdge(
  arches: EdgeArch[] = Object.keys(ARCHES) as EdgeArch[],
  outDir = join(REPO, 'dist'),
  signingKeyPem?: string,
): PackageResult[] {
  // Fail on a bad key before minutes of packaging, not after.
  if (
    signingKeyPem !== undefined &&
    createPrivateKey(signingKeyPem).asymmetricKeyType !== 'ed25519'
  )
    throw new Error('the signing key must be an Ed25519 private key (PKCS#8 PEM)');
  execFileSync(process.execPath, [join(REPO, 'edge-agent/build.mjs')], { stdio: 'inherit' });
  const agentPkg = readJson<{ version: string; engines: { node: string } }>(
    join(REPO, 'edge-agent/package.json'),
  );
  const lock = readJson<{ packages: Record<string, LockEntry> }>(
    join(REPO, 'package-lock.json'),
  ).packages;
  const declared = new Set(
    ['edge-agent', 'protocol'].flatMap((ws) =>
      Object.keys(readJson<LockEntry>(join(REPO, ws, 'package.json')).dependencies ?? {}),
    ),
  );
  const roots = bundleImports(join(REPO, 'edge-agent/dist'));
  const undeclared = roots.filter((name) => !declared.has(name));
  if (undeclared.length > 0)
    throw new Error(`the bundle imports packages no workspace declares: ${undeclared.join(', ')}`);
  mkdirSync(outDir, { recursive: true });
  const results: PackageResult[] = [];
  for (const arch of arches) {
    const name = `takt-edge-${agentPkg.version}-${arch}`;
    const stage = mkdtempSync(join(tmpdir(), 'takt-edge-pkg-'));
    const top = join(stage, name);
    try {
      mkdirSync(join(top, 'edge-agent/dist'), { recursive: true });
      for (const f of readdirSync(join(REPO, 'edge-agent/dist')).filter((f) => f.endsWith('.mjs')))
        cpSync(join(REPO, 'edge-agent/dist', f), join(top, 'edge-agent/dist', f));
      // The agent reads its version from edge-agent/package.json (edge-agent/src/agent.ts).
      writeFileSync(
        join(top, 'edge-agent/package.json'),
        JSON.stringify({ name: '@takt/edge-agent', version: agentPkg.version, type: 'module' }) +
          '\n',
      );
      const packages = dependencyClosure(lock, roots, arch);
      for (const path of packages) {
        cpSync(join(REPO, path), join(top, path), {
          recursive: true,
          // Nested node_modules are packages of their own in the closure (or not needed).
          filter: (src) => !relative(join(REPO, path), src).split('/').includes('node_modules'),
        });
      }
      // serialport's native bindings: only this architecture's prebuilds, no sources to build.
      const bindings = join(top, 'node_modules/@serialport/bindings-cpp');
      if (existsSync(bindings)) {
        for (const dir of readdirSync(join(bindings, 'prebuilds')))
          if (dir !== ARCHES[arch].prebuilds)
            rmSync(join(bindings, 'prebuilds', dir), { recursive: true });
        if (!existsSync(join(bindings, 'prebuilds', ARCHES[arch].prebuilds)))
          throw new Error(`@serialport/bindings-cpp has no prebuilds/${ARCHES[arch].prebuilds}`);
        for (const dir of ['src', 'binding.gyp', 'build'])
          rmSync(join(bindings, dir), { recursive: true, force: true });
      }
      cpSync(join(REPO, 'firmware-configs/pi/takt-edge.service'), join(top, 'takt-edge.service'));
      cpSync(join(REPO, 'firmware-configs/pi/common.sh'), join(top, 'common.sh'));
      // The root updater's units (edge-agent/src/update/updater.ts runs as dist/updater.mjs).
      for (const unit of ['takt-edge-update.path', 'takt-edge-update.service'])
        cpSync(join(REPO, 'firmware-configs/pi', unit), join(top, unit));
      cpSync(join(REPO, 'firmware-configs/pi/package-install.sh'), join(top, 'install.sh'));
      chmodSync(join(top, 'install.sh'), 0o755);
      const list = files(top);
      const manifest = {
        name: 'takt-edge',
        version: agentPkg.version,
        arch,
        nodeArch: ARCHES[arch].nodeArch,
        uname: ARCHES[arch].uname,
        // Which package each `uname -m` needs, for the install script's refusal.
        machines: Object.fromEntries(
          Object.entries(ARCHES).flatMap(([a, v]) => v.uname.map((u) => [u, a])),
        ),
        node: { minimum: '20', recommended: agentPkg.engines.node },
        packages: packages.map((p) => `${p.replace(/^.*node_modules\//, '')}@${lock[p]!.version}`),
        files: Object.fromEntries(list.map((f) => [f, sha256(join(top, f))])),
      };
      writeFileSync(join(top, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
      const archive = join(outDir, `${name}.tar.gz`);
      // Reproducible: sorted names, root owner, fixed times, no gzip timestamp.
      execFileSync(
        'sh',
        [
          '-c',
          'tar -C "$1" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - "$2" | gzip -n > "$3"',
          'sh',
          stage,
          name,
          archive,
        ],
        { stdio: 'inherit' },
      );
      // A `.sig` from an earlier build would name another archive's sha256.
      rmSync(`${archive}.sig`, { force: true });
      const signed =
        signingKeyPem === undefined
          ? undefined
          : (signArchive(archive, agentPkg.version, arch, signingKeyPem), `${archive}.sig`);
      results.push({
        arch,
        archive,
        ...(signed ? { signatureFile: signed } : {}),
        packages: packages.length,
        files: list.length + 1,
        bytes: readFileSync(archive).length,
      });
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  }
  return results;
}

export interface PackageArgs {
  arches: EdgeArch[] | undefined;
  signKeyFile: string | undefined;
  outDir: string | undefined;
}

/** `[--arch a]… [--sign-key file] [--out dir] [arch…]`; the key file may come from the env. */
export function parsePackageArgs(
  argv: string[],
  env: Readonly<Record<string, string | undefined>>,
): PackageArgs {
  const arches: string[] = [];
  let signKeyFile = env.TAKT_PACKAGE_SIGNING_KEY_FILE || undefined;
  let outDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--arch') arches.push(...value().split(','));
    else if (arg === '--sign-key') signKeyFile = value();
    else if (arg === '--out') outDir = resolve(value());
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else arches.push(arg);
  }
  const unknown = arches.filter((a) => !(a in ARCHES));
  if (unknown.length > 0)
    throw new Error(
      `unknown architecture ${unknown.join(', ')} (one of ${Object.keys(ARCHES).join(', ')})`,
    );
  return {
    arches: arches.length ? ([...new Set(arches)] as EdgeArch[]) : undefined,
    signKeyFile,
    outDir,
  };
}

if (process.argv[1] === import.meta.filename) {
  let args: PackageArgs;
  let key: string | undefined;
  try {
    args = parsePackageArgs(process.argv.slice(2), process.env);
    key = args.signKeyFile === undefined ? undefined : readFileSync(args.signKeyFile, 'utf8');
  } catch (error) {
    process.stderr.write(`package:edge: ${(error as Error).message}\n`);
    process.exit(2);
  }
  for (const r of packageEdge(args.arches, args.outDir, key))
    console.log(
      `${relative(process.cwd(), r.archive)}: ${(r.bytes / 1e6).toFixed(1)} MB, ${r.packages} packages, ${r.files} files${r.signatureFile ? ', signed' : ''}`,
    );
}
