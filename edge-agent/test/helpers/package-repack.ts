import { execFileSync } from 'node:child_process';
import { createHash, sign, type KeyObject } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageSignedText } from '@takt/protocol';

export interface BuiltPackage {
  file: string;
  version: string;
  arch: string;
  sha256: string;
  size: number;
  signature: string;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * A variant of an unpacked install package (a release as the next build would make it): the
 * manifest's version (and arch) changed, files rewritten with their manifest sums kept right,
 * packed as `takt-edge-<version>-<arch>.tar.gz` and signed with `key` over the text the
 * signature binds (version, arch, sha256). For the agent-update tests.
 */
export function repack(opts: {
  unpacked: string;
  version: string;
  arch?: string;
  key: KeyObject;
  /** Sign as if for this arch (a package renamed to another arch keeps its own signature). */
  signArch?: string;
  files?: Record<string, string>;
}): BuiltPackage {
  const arch = opts.arch ?? 'x64';
  const name = `takt-edge-${opts.version}-${arch}`;
  const work = mkdtempSync(join(tmpdir(), 'takt-repack-'));
  const top = join(work, name);
  cpSync(opts.unpacked, top, { recursive: true, verbatimSymlinks: true });
  const manifestFile = join(top, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    version: string;
    arch: string;
    files: Record<string, string>;
  };
  manifest.version = opts.version;
  manifest.arch = arch;
  for (const [file, text] of Object.entries(opts.files ?? {})) {
    writeFileSync(join(top, file), text);
    manifest.files[file] = sha256(Buffer.from(text));
  }
  writeFileSync(`${manifestFile}.tmp`, JSON.stringify(manifest, null, 2) + '\n');
  renameSync(`${manifestFile}.tmp`, manifestFile);
  const file = join(work, `${name}.tar.gz`);
  execFileSync('sh', ['-c', 'tar -C "$1" -cf - "$2" | gzip -1 > "$3"', 'sh', work, name, file]);
  const data = readFileSync(file);
  const sum = sha256(data);
  const signature = sign(
    null,
    Buffer.from(packageSignedText(opts.version, opts.signArch ?? arch, sum)),
    opts.key,
  ).toString('base64');
  return { file, version: opts.version, arch, sha256: sum, size: data.length, signature };
}
