import type { Batcher } from './batcher';
import type { IngestItem } from './items';

/**
 * The writer lanes (docs/decisions.md "Issue 22 — writer lanes"): each lane is a batcher with
 * its own database connection and commit log, and a gateway always goes to the same lane, so
 * its messages — and those of the machines bound to it — are written in the order they came,
 * and two lanes never write the same machine's rows. A rejected payload (no gateway known)
 * goes to lane 0.
 */
export class WriterLanes {
  constructor(private readonly lanes: readonly Batcher<IngestItem>[]) {}

  get size(): number {
    let size = 0;
    for (const lane of this.lanes) size += lane.size;
    return size;
  }

  push(item: IngestItem): void {
    this.lanes[laneOf(item, this.lanes.length)]!.push(item);
  }

  /** Every lane flushes what it holds (in parallel, each bounded); returns the items left. */
  async drain(timeoutMs: number): Promise<number> {
    const left = await Promise.all(this.lanes.map((lane) => lane.drain(timeoutMs)));
    return left.reduce((a, b) => a + b, 0);
  }
}

/** The lane of an item: a stable hash of its gateway id (the same on every start). */
export function laneOf(item: IngestItem, lanes: number): number {
  if (lanes <= 1 || item.kind !== 'message') return 0;
  const id = item.message.gatewayId;
  let hash = 0;
  for (let i = 0; i < id.length; i += 1) hash = (Math.imul(hash, 31) + id.charCodeAt(i)) | 0;
  return (hash >>> 0) % lanes;
}
