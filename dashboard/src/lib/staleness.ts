/**
 * Ages and staleness, measured on the server's clock. The board's own clock may be minutes
 * off (a kiosk PC without NTP), so every message's `serverTime` gives the offset to apply.
 */

/** A tile whose last reading is older than this is marked stale. */
export const STALE_AFTER_MS = 10_000;

/** Server clock minus local clock, from a message's `serverTime` and when it arrived. */
export function clockOffsetMs(serverTime: string, receivedAtMs: number): number {
  const serverMs = Date.parse(serverTime);
  return Number.isFinite(serverMs) ? serverMs - receivedAtMs : 0;
}

/** Milliseconds since `isoTime` on the server's clock; null when never seen. Never negative. */
export function ageMs(isoTime: string | null, serverNowMs: number): number | null {
  if (isoTime === null) return null;
  const at = Date.parse(isoTime);
  if (!Number.isFinite(at)) return null;
  return Math.max(0, serverNowMs - at);
}

/** Stale: last seen more than STALE_AFTER_MS ago, or never seen at all. */
export function isStale(lastSeenAt: string | null, serverNowMs: number): boolean {
  const age = ageMs(lastSeenAt, serverNowMs);
  return age === null || age > STALE_AFTER_MS;
}
