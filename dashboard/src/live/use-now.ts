import { useEffect, useState } from 'react';

/** The local clock, re-read just after each whole period so a seconds display never skips. */
export function useNow(periodMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    let timer = 0;
    const schedule = () => {
      timer = window.setTimeout(tick, periodMs - (Date.now() % periodMs) + 5);
    };
    const tick = () => {
      setNow(Date.now());
      schedule();
    };
    schedule();
    return () => window.clearTimeout(timer);
  }, [periodMs]);
  return now;
}
