/** Half-open time intervals [from, to) in epoch ms, and the few operations OEE needs. Pure. */
export interface Interval {
  from: number;
  to: number;
}

/** Sorted, non-overlapping, non-empty intervals covering the same time. */
export function normalize(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.to > i.from).sort((a, b) => a.from - b.from);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && i.from <= last.to) last.to = Math.max(last.to, i.to);
    else out.push({ from: i.from, to: i.to });
  }
  return out;
}

/** Total length in ms (overlaps counted once). */
export function measure(intervals: readonly Interval[]): number {
  return normalize(intervals).reduce((sum, i) => sum + (i.to - i.from), 0);
}

/** The time in both sets. */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const x = normalize(a);
  const y = normalize(b);
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const from = Math.max(x[i]!.from, y[j]!.from);
    const to = Math.min(x[i]!.to, y[j]!.to);
    if (to > from) out.push({ from, to });
    if (x[i]!.to < y[j]!.to) i++;
    else j++;
  }
  return out;
}

/** The time in `a` but not in `b`. */
export function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const cut = normalize(b);
  const out: Interval[] = [];
  for (const piece of normalize(a)) {
    let from = piece.from;
    for (const c of cut) {
      if (c.to <= from || c.from >= piece.to) continue;
      if (c.from > from) out.push({ from, to: c.from });
      from = Math.max(from, c.to);
    }
    if (from < piece.to) out.push({ from, to: piece.to });
  }
  return out;
}
