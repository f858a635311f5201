import { useEffect, useState } from 'react';
import type { TagValue } from '@takt/protocol/live';
import { numericValue } from '../lib/main-tag';
import { appendPoint, mergeHistory, TREND_WINDOW_MS, type TrendPoint } from '../lib/trend';
import { fetchSamples } from './samples-api';

/**
 * One tag's trend for a tile: seeded from the samples endpoint, then extended with every new
 * live reading. `seedKey` changes on each (re)connect snapshot, so the gap while the screen was
 * offline is filled from history.
 */
export function useTrend(
  machineId: string,
  tag: string,
  latest: TagValue,
  seedKey: number,
): TrendPoint[] {
  const [points, setPoints] = useState<TrendPoint[]>([]);

  useEffect(() => {
    const controller = new AbortController();
    const seed = async () => {
      try {
        const series = await fetchSamples(
          machineId,
          tag,
          TREND_WINDOW_MS / 60_000,
          controller.signal,
        );
        setPoints((live) => mergeHistory(series.points, live));
      } catch (err) {
        // No history is not fatal: the trend fills from live readings.
        if (!controller.signal.aborted) console.error('takt dashboard: trend history', err);
      }
    };
    void seed();
    return () => controller.abort();
  }, [machineId, tag, seedKey]);

  const atMs = Date.parse(latest.at);
  const value = numericValue(latest);
  useEffect(() => {
    setPoints((prev) => appendPoint(prev, [atMs, value]));
  }, [atMs, value]);

  return points;
}
