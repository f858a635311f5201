/**
 * Piece counters arrive as the PLC's absolute totals (docs/decisions.md "Wire format"); ingest turns
 * them into deltas. Pure functions, no I/O (docs/architecture.md "Conventions" 4).
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
 * Samples older than the last applied totals are left out of `rows` and returned in
 * `lateSamples` (their number in `late`), to be placed among the stored ones (placeLateTotals).
 */
export function deriveCounts(
  prev: CounterTotals | undefined,
  samples: readonly CountSample[],
): {
  rows: CountDelta[];
  last: CounterTotals | undefined;
  late: number;
  lateSamples: CountSample[];
} {
  const rows: CountDelta[] = [];
  let last = prev;
  const lateSamples: CountSample[] = [];
  for (const s of [...samples].sort((a, b) => a.ts - b.ts)) {
    if (last && s.ts < last.at) {
      lateSamples.push(s);
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
  return { rows, last, late: lateSamples.length, lateSamples };
}

/**
 * Totals older than the last applied ones (a gateway replaying its disk queue, messages of
 * one counter arriving out of order) placed between the stored totals around them, as if
 * they had come in edge-time order (docs/production-model.md, "Counts that come late or twice"): the pieces from `before` to them, and
 * from them to `after`, whose delta is derived again. Before the first totals ever, they
 * are the new baseline. The pieces of `before` → `after` are the same, now split in two.
 */
export function placeLateTotals(
  before: CounterTotals | undefined,
  late: CountSample,
  after: CounterTotals | undefined,
): { row: CountDelta; after: { good: number; reject: number; reset: boolean } | undefined } {
  const [row] = deriveCounts(before, [late]).rows;
  if (!after) return { row: row!, after: undefined };
  const good = counterDelta(late.good, after.good, late.rollover);
  const reject = counterDelta(late.reject, after.reject, late.rollover);
  return {
    row: row!,
    after: { good: good.delta, reject: reject.delta, reset: good.reset || reject.reset },
  };
}
