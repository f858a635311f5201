/**
 * How a plant-wide computation (every machine's OEE for the shift board, the polled OEE
 * alerts, the shift report; the board's counts since midnight) is cut: `size` machines at a
 * time, one slice after the other, `pauseMs` between two. The answers are the same — each
 * machine's window is read alone in any case — but PostgreSQL and ingest's event loop are
 * busy a slice's time at once instead of the whole plant's, so the live path's batches that
 * commit meanwhile wait less (docs/decisions.md "Issue 22 — the seventh pass").
 */
export interface Slices {
  size: number;
  pauseMs: number;
}

export const PLANT_SLICES: Slices = { size: 50, pauseMs: 100 };

/** `work` on each slice of `items` in turn; its answers (one per item) in the items' order. */
export async function inSlices<T, R>(
  items: readonly T[],
  work: (slice: readonly T[]) => Promise<readonly R[]>,
  { size, pauseMs }: Slices = PLANT_SLICES,
): Promise<R[]> {
  if (!(size >= 1)) throw new Error(`a slice holds at least one item, not ${size}`);
  const out: R[] = [];
  for (let from = 0; from < items.length; from += size) {
    if (from > 0 && pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    const slice = items.slice(from, from + size);
    const answers = await work(slice);
    if (answers.length !== slice.length)
      throw new Error(`a slice of ${slice.length} items gave ${answers.length} answers`);
    out.push(...answers);
  }
  return out;
}
