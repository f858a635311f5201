/**
 * When the andon first saw each alert, so new ones announce themselves (issue 8): the alerts
 * on screen when the board opened are known already; any later one is new from its arrival.
 */
export type Arrivals = ReadonlyMap<number, number>;

/** How long a new alert flashes. */
export const FLASH_MS = 10_000;

/**
 * Adds the ids not seen before, arrived at `nowMs` (or long ago on the board's first look),
 * and forgets those gone (cleared), so a board running for months keeps only what it shows.
 * The same map back when nothing changed.
 */
export function noteArrivals(
  known: Arrivals,
  ids: Iterable<number>,
  nowMs: number,
  firstLook: boolean,
): Arrivals {
  const current = new Set(ids);
  let changed = current.size !== known.size;
  const next = new Map<number, number>();
  for (const id of current) {
    const arrived = known.get(id);
    if (arrived === undefined) changed = true;
    next.set(id, arrived ?? (firstLook ? -Infinity : nowMs));
  }
  return changed ? next : known;
}

/** New ones: arrived within FLASH_MS, or opened within it (a board opened just after). */
export function isFlashing(
  arrivedAtMs: number | undefined,
  openedAtMs: number,
  nowMs: number,
  serverNowMs: number,
): boolean {
  return (
    (arrivedAtMs !== undefined && nowMs - arrivedAtMs < FLASH_MS) ||
    serverNowMs - openedAtMs < FLASH_MS
  );
}
