import { useEffect, useState } from 'react';

/** A counter that goes up every `everyMs`: put it in a `useLoad` key to ask again (live refresh). */
export function useRefreshTick(everyMs: number): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return tick;
}
