import { useEffect, useState } from 'react';
import { apiFetch } from '../lib/credentials';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** GET a JSON API route; a non-2xx answer throws with the server's message and status. */
export async function getJson<T>(url: string): Promise<T> {
  const response = await apiFetch(url);
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    throw new ApiError(body.message ?? `HTTP ${response.status}`, response.status);
  }
  return (await response.json()) as T;
}

/** `fn` over `items`, at most `limit` at a time (a plant of 200 machines is 200 requests). */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface Loaded<T> {
  data: T | null;
  error: ApiError | Error | null;
  loading: boolean;
}

/**
 * Runs `load` whenever `key` changes (null: nothing to load) and keeps only the latest
 * answer: a slow answer to an older choice never overwrites a newer one.
 */
export function useLoad<T>(key: string | null, load: () => Promise<T>): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: null, error: null, loading: key !== null });
  useEffect(() => {
    if (key === null) return;
    let alive = true;
    setState((s) => ({ data: s.data, error: null, loading: true }));
    load()
      .then((data) => alive && setState({ data, error: null, loading: false }))
      .catch((error: Error) => alive && setState({ data: null, error, loading: false }));
    return () => {
      alive = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `load` is re-created on every render; `key` says when it means something new.
  }, [key]);
  return state;
}
