import { useEffect, useState } from 'react';
import type { ApiError } from '../lib/api';

export { ApiError, getJson } from '../lib/api';

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
