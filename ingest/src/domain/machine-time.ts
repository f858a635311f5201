import type { MachineState } from '@takt/protocol';
import { intersect, measure, type Interval } from './intervals';

export interface StateEvent {
  ts: number;
  state: MachineState;
  reason?: string | null;
}

export interface StateInterval extends Interval {
  state: MachineState;
  reason: string | null;
}

/**
 * State change events -> intervals within [from, to): each state lasts until the next
 * event. Before the first event the state is `unknown` (no data), never running.
 */
export function stateIntervals(
  events: readonly StateEvent[],
  from: number,
  to: number,
): StateInterval[] {
  const sorted = [...events].sort((a, b) => a.ts - b.ts);
  const out: StateInterval[] = [];
  let current: { state: MachineState; reason: string | null; since: number } = {
    state: 'unknown',
    reason: null,
    since: from,
  };
  for (const e of sorted) {
    if (e.ts >= to) break;
    const at = Math.max(e.ts, from);
    if (at > current.since)
      out.push({ from: current.since, to: at, state: current.state, reason: current.reason });
    current = { state: e.state, reason: e.reason ?? null, since: at };
  }
  if (to > current.since)
    out.push({ from: current.since, to, state: current.state, reason: current.reason });
  return mergeEqual(out);
}

function mergeEqual(intervals: StateInterval[]): StateInterval[] {
  const out: StateInterval[] = [];
  for (const i of intervals) {
    const last = out.at(-1);
    if (last && last.to === i.from && last.state === i.state && last.reason === i.reason)
      last.to = i.to;
    else out.push({ ...i });
  }
  return out;
}

const RUNNING: ReadonlySet<MachineState> = new Set(['running', 'reduced_speed']);

export interface TimeAccounting {
  /** ISO 22400-2 planned busy time (PBT): planned time in the window. */
  plannedBusyMs: number;
  /** Stops inside planned time that count against availability. */
  downMs: number;
  /** ISO 22400-2 actual production time (APT) = PBT − down. */
  runMs: number;
  /** Short stops inside planned time, left in run time (a performance loss). */
  microstopMs: number;
}

/**
 * Where a machine's planned time went. A stop counts as down when it lasts at least
 * `microstopThresholdMs`; shorter stops (and `microstop` states) stay in run time and show up
 * as lost performance. `unknown` (no data, gateway dead) is always down: it never counts
 * as running, however short.
 */
export function accountTime(
  states: readonly StateInterval[],
  planned: readonly Interval[],
  microstopThresholdMs: number,
): TimeAccounting {
  const plannedBusyMs = measure(planned);
  let downMs = 0;
  let microstopMs = 0;
  for (const interval of states) {
    if (RUNNING.has(interval.state)) continue;
    const inPlan = measure(intersect([interval], planned));
    if (inPlan === 0) continue;
    const short = interval.to - interval.from < microstopThresholdMs;
    if (interval.state === 'unknown' || (!short && interval.state !== 'microstop'))
      downMs += inPlan;
    else microstopMs += inPlan;
  }
  return { plannedBusyMs, downMs, runMs: plannedBusyMs - downMs, microstopMs };
}
