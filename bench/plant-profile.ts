/**
 * The plant bench's `--profile`: ingest runs with V8's `--cpu-prof` and this reads the
 * profile it writes at exit (the .cpuprofile JSON of the Chrome DevTools protocol): the
 * functions that took the most CPU themselves, by file and line, and by file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface ProfileTop {
  /** Share of all samples, %. */
  selfPercent: number;
  where: string;
}

/** Self time per function and per file, largest first (idle and GC apart). */
export function summarizeProfile(
  profile: { nodes: ProfileNode[] },
  root: string,
  top = 20,
): { functions: ProfileTop[]; files: ProfileTop[] } {
  const total = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0) || 1;
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url ? relative(root, url.replace(/^file:\/\//, '')) : functionName || '(native)';
    const where = url ? `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}` : file;
    byFunction.set(where, (byFunction.get(where) ?? 0) + hits);
    byFile.set(file, (byFile.get(file) ?? 0) + hits);
  }
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([where, hits]) => ({ selfPercent: Math.round((hits / total) * 1000) / 10, where }));
  return { functions: rank(byFunction), files: rank(byFile) };
}

/**
 * The main thread's .cpuprofile in `dir`, summarized; undefined when none was written. Under
 * tsx, Node writes one more for the module loader's worker thread; the main thread's is the
 * largest.
 */
export function readProfile(dir: string, root: string) {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort((a, b) => statSync(join(dir, a)).size - statSync(join(dir, b)).size);
  const file = files.at(-1);
  if (!file) return undefined;
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[] };
  return { file: join(dir, file), ...summarizeProfile(profile, root) };
}
