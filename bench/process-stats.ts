import { readFileSync } from 'node:fs';

/** CPU time (user + system, seconds) of a process, from /proc/<pid>/stat (Linux). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (proc(5))
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** Resident set size in MB, from /proc/<pid>/status. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** CPU share of one core and peak RSS of `pid` over `ms`, sampled every 500 ms. */
export async function measure(
  pid: number,
  ms: number,
): Promise<{ cpuPercentOfCore: number; rssMb: number }> {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  let peak = rssMb(pid);
  while (performance.now() - t0 < ms) {
    await new Promise((r) => setTimeout(r, 500));
    peak = Math.max(peak, rssMb(pid));
  }
  const elapsed = (performance.now() - t0) / 1000;
  return { cpuPercentOfCore: ((cpuSeconds(pid) - cpu0) / elapsed) * 100, rssMb: peak };
}
