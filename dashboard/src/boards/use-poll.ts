import type { ApiRequest, ApiResponse, ApiRoute } from '@takt/protocol/api';
import { useEffect, useState } from 'react';
import { apiPath, NOW } from '../lib/api';
import { apiFetch } from '../lib/credentials';

export interface Polled<T> {
  data: T | null;
  /** Local time the data arrived (ms), for figures that move on between polls. */
  fetchedAtMs: number;
  error: string | null;
}

async function getJson(url: string, signal: AbortSignal): Promise<unknown> {
  const response = await apiFetch(url.replaceAll(NOW, new Date().toISOString()), { signal });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

/**
 * GETs every URL now and every `everyMs` (slow-moving figures: OEE, downtime, orders),
 * keeping the last good answers on screen when a poll fails. `urls` null: nothing to ask yet.
 * A new `refresh` (a live change, e.g. `useOrdersVersion()`) asks again at once.
 */
export function usePollAll<T>(
  urls: readonly string[] | null,
  everyMs: number,
  refresh: number = 0,
): Polled<T[]> {
  const [state, setState] = useState<Polled<T[]>>({ data: null, fetchedAtMs: 0, error: null });
  const key = urls === null ? null : urls.join('\n');
  useEffect(() => {
    if (key === null) return;
    let alive = true;
    const controller = new AbortController();
    const poll = async () => {
      try {
        const data = (await Promise.all(
          key.split('\n').map((url) => getJson(url, controller.signal)),
        )) as T[];
        if (alive) setState({ data, fetchedAtMs: Date.now(), error: null });
      } catch (err) {
        if (alive) setState((s) => ({ ...s, error: (err as Error).message }));
      }
    };
    void poll();
    const timer = window.setInterval(() => void poll(), everyMs);
    return () => {
      alive = false;
      controller.abort();
      window.clearInterval(timer);
    };
  }, [key, everyMs, refresh]);
  return state;
}

export function usePoll<T>(url: string | null, everyMs: number): Polled<T> {
  const all = usePollAll<T>(url === null ? null : [url], everyMs);
  return { ...all, data: all.data?.[0] ?? null };
}

export function usePollRoute<T extends ApiRoute>(
  route: T,
  request: ApiRequest<T> | null,
  everyMs: number,
  refresh = 0,
): Polled<ApiResponse<T>> {
  const all = usePollAll<ApiResponse<T>>(
    request === null ? null : [apiPath(route, request)],
    everyMs,
    refresh,
  );
  return { ...all, data: all.data?.[0] ?? null };
}
