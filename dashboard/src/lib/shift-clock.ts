/** The line board's shift clock (issue 8): how far the shift is, and how long it has left. */
export interface ShiftClock {
  elapsedMs: number;
  leftMs: number;
  /** 0..1 of the shift done. */
  fraction: number;
}

export function shiftClock(fromMs: number, toMs: number, nowMs: number): ShiftClock {
  const span = Math.max(1, toMs - fromMs);
  const elapsedMs = Math.min(span, Math.max(0, nowMs - fromMs));
  return { elapsedMs, leftMs: span - elapsedMs, fraction: elapsedMs / span };
}
