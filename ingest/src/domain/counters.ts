/**
 * Piece counters arrive as the PLC's absolute totals (DESIGN "Wire contract"); ingest turns
 * them into deltas. Pure functions, no I/O (STYLE 4).
 */
export interface CounterTotals {
  good: number;
  reject: number;
  /** Edge time of the totals, epoch ms. */
  at: number;
}

export interface CountSample {
  ts: number;
  good: number;
  reject: number;
  rollover?: number | undefined;
}

export interface CountDelta {
  ts: number;
  goodTotal: number;
  rejectTotal: number;
  good: number;
  reject: number;
  /** The counter went down without wrapping: the PLC was reset (or replaced). */
  reset: boolean;
}

/**
 * Pieces made between two readings of one counter. A drop is a wrap when the counter has a
 * modulus and the drop is more than half of it (a 16-bit counter going 65530 -> 4 made 10);
 * otherwise it is a reset, and the new value is what was made since the reset.
 */
export function counterDelta(
  prev: number,
  next: number,
  rollover?: number,
): { delta: number; reset: boolean } {
  if (next >= prev) return { delta: next - prev, reset: false };
  if (rollover !== undefined && prev - next > rollover / 2 && prev < rollover) {
    return { delta: rollover - prev + next, reset: false };
  }
  return { delta: next, reset: true };
}

/**
 * Deltas for one machine's count messages, in edge-time order. The first totals ever seen
 * only set the baseline (what was made before Takt listened is not Takt's to count).
 * Samples older than the last applied totals are skipped and returned in `late`.
 */
export function deriveCounts(
  prev: CounterTotals | undefined,
  samples: readonly CountSample[],
): { rows: CountDelta[]; last: CounterTotals | undefined; late: number } {
  const rows: CountDelta[] = [];
  let last = prev;
  let late = 0;
  for (const s of [...samples].sort((a, b) => a.ts - b.ts)) {
    if (last && s.ts < last.at) {
      late++;
      continue;
    }
    const good = last ? counterDelta(last.good, s.good, s.rollover) : { delta: 0, reset: false };
    const reject = last
      ? counterDelta(last.reject, s.reject, s.rollover)
      : { delta: 0, reset: false };
    rows.push({
      ts: s.ts,
      goodTotal: s.good,
      rejectTotal: s.reject,
      good: good.delta,
      reject: reject.delta,
      reset: good.reset || reject.reset,
    });
    last = { good: s.good, reject: s.reject, at: s.ts };
  }
  return { rows, last, late };
}
