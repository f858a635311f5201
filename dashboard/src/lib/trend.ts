import type { SampleSeries } from '@takt/protocol/live';

/** [epoch ms, value] as served by the samples endpoint; null is a gap. */
export type TrendPoint = SampleSeries['points'][number];

/** How much history a sparkline shows. */
export const TREND_WINDOW_MS = 15 * 60_000;
/** Hard cap on points kept per tile, whatever the update rate. */
export const TREND_MAX_POINTS = 3000;

function trim(points: TrendPoint[], windowMs: number): TrendPoint[] {
  const last = points[points.length - 1];
  if (!last) return points;
  const from = last[0] - windowMs;
  let start = 0;
  while (start < points.length && (points[start] as TrendPoint)[0] < from) start += 1;
  start = Math.max(start, points.length - TREND_MAX_POINTS);
  return start === 0 ? points : points.slice(start);
}

/**
 * Appends a live point. Points at or before the newest one are ignored (the same reading
 * arriving in a later update, or out of order), so the series stays sorted.
 */
export function appendPoint(
  points: TrendPoint[],
  point: TrendPoint,
  windowMs = TREND_WINDOW_MS,
): TrendPoint[] {
  const last = points[points.length - 1];
  if (!Number.isFinite(point[0]) || (last && point[0] <= last[0])) return points;
  return trim([...points, point], windowMs);
}

/**
 * History from the server, then whatever arrived live after its last point: live updates may
 * come in before the history request returns.
 */
export function mergeHistory(
  history: readonly TrendPoint[],
  live: readonly TrendPoint[],
  windowMs = TREND_WINDOW_MS,
): TrendPoint[] {
  const sorted = [...history].sort((a, b) => a[0] - b[0]);
  const lastHistory = sorted[sorted.length - 1];
  const newer = lastHistory ? live.filter((p) => p[0] > lastHistory[0]) : [...live];
  return trim([...sorted, ...newer], windowMs);
}
