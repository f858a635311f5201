/**
 * CPU and memory of a process with everything it started (the embedded PostgreSQL is a
 * postmaster and its backends under a node wrapper), from /proc (Linux; proc(5)), as `top`
 * would add them up. Memory is PSS (each shared page split between its sharers), so adding
 * PostgreSQL's backends does not count its shared buffers once per backend.
 */
import { readdirSync, readFileSync } from 'node:fs';

const USER_HZ = 100;

function stat(pid: number): { ppid: number; ticks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After the name: state ppid … utime(14) stime(15) cutime(16) cstime(17), here 0-based from state.
    return {
      ppid: Number(f[1]),
      ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]),
    };
  } catch {
    return undefined; // gone
  }
}

/** `root` and its descendants alive now. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (!s) continue;
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  }
  const tree: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    tree.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/**
 * CPU seconds of the tree: each live process's own time plus that of its children it has
 * reaped (a backend that ended counts in its postmaster from then on).
 */
export function treeCpuSeconds(root: number): number {
  return processTree(root).reduce((sum, pid) => sum + (stat(pid)?.ticks ?? 0), 0) / USER_HZ;
}

/** Proportional set size of the tree, MB. */
export function treePssMb(root: number): number {
  let kb = 0;
  for (const pid of processTree(root)) {
    try {
      const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      kb += Number(/^Pss:\s+(\d+) kB/m.exec(text)?.[1] ?? 0);
    } catch {
      /* gone, or not ours to read */
    }
  }
  return kb / 1024;
}

/** Busy and total jiffies of the whole machine (/proc/stat's first line). */
export function machineJiffies(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** The machine's busy share between two `machineJiffies` readings, % of all cores. */
export function busyPercent(
  from: ReturnType<typeof machineJiffies>,
  to: ReturnType<typeof machineJiffies>,
): number {
  return ((to.busy - from.busy) / Math.max(1, to.total - from.total)) * 100;
}
