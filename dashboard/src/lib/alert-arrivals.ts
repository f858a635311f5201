/**
 * When the andon first saw each alert, so new ones announce themselves (issue 8): the alerts
 * on screen when the board opened are known already; any later one is new from its arrival.
 */
export type Arrivals = ReadonlyMap<number, number>;

/** How long a new alert flashes. */
export const FLASH_MS = 10_000;

/** Adds the ids not seen before, arrived at `nowMs` (or long ago on the board's first look). */
export function noteArrivals(
  known: Arrivals,
  ids: Iterable<number>,
  nowMs: number,
  firstLook: boolean,
): Arrivals {
  let next: Map<number, number> | null = null;
  for (const id of ids)
    if (!known.has(id)) (next ??= new Map(known)).set(id, firstLook ? -Infinity : nowMs);
  return next ?? known;
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
