import { isStop, type StateInterval } from './machine-time';

/**
 * The stop a reason card explains, judged at the card's own edge time `ts`, never at the
 * time it reached ingest (docs/decisions.md, "Issue 15 — scans at event time"): the stop open
 * at `ts`, else the latest one that ended at or before `ts`, if it began within `windowMs`
 * before `ts`. `states` are the machine's intervals over [ts − windowMs, ts + 1); an interval
 * that starts at that window's start is cut by it, so its real start is older: not taken.
 */
export function stopForReasonCard(
  states: readonly StateInterval[],
  ts: number,
  windowMs: number,
): { stop: StateInterval } | { refused: string } {
  const stops = states.filter((s) => isStop(s) && s.from > ts - windowMs && s.from <= ts);
  const stop = stops.find((s) => s.from <= ts && ts < s.to) ?? stops.at(-1);
  if (!stop) return { refused: 'no stop in the reason window before the card was scanned' };
  if (stop.reason !== null) return { refused: `that stop already has the reason "${stop.reason}"` };
  return { stop };
}
