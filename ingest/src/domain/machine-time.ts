import type { MachineState } from '@takt/protocol';
import { intersect, measure, subtract, type Interval } from './intervals';

/**
 * A state holds this long after its last message when its gateway declared no heartbeat;
 * then the machine counts as unknown (no data). The edge re-sends state every heartbeat
 * (60 s by default), and ingest re-writes derived states every minute.
 */
export const DEFAULT_STATE_STALE_AFTER_MS = 180_000;

/**
 * How long a state holds without a message, from the heartbeat its gateway declared in its
 * status (docs/production-model.md, "State staleness"): three heartbeats, so one or two lost
 * messages are not a gap, and never less than the default, which derived states rely on.
 */
export function stateStaleAfterMs(heartbeatMs: number | null | undefined): number {
  return heartbeatMs
    ? Math.max(DEFAULT_STATE_STALE_AFTER_MS, 3 * heartbeatMs)
    : DEFAULT_STATE_STALE_AFTER_MS;
}

/** A board tile without a message for this long shows offline (one missed heartbeat of 60 s). */
export const LIVE_STALE_AFTER_MS = 60_000;

/**
 * How long a board tile trusts its machine's last message (`staleAfterMs` in the live
 * snapshot, dashboard/src/lib/machine-state.ts): 60 s, or three heartbeats of a gateway that
 * declared a longer one in its birth (issue 15 item 3), as OEE holds its states.
 */
export function liveStaleAfterMs(heartbeatMs: number | null | undefined): number {
  return heartbeatMs ? Math.max(LIVE_STALE_AFTER_MS, 3 * heartbeatMs) : LIVE_STALE_AFTER_MS;
}

/**
 * Planned busy time split at the machine's first data (docs/production-model.md: time before it is
 * not monitored, not planned busy time). No data ever (`firstDataAt` null): none is monitored.
 */
export function splitMonitored(
  busy: readonly Interval[],
  firstDataAt: number | null,
): { busy: Interval[]; notMonitored: Interval[] } {
  const unmonitored = [
    { from: Number.NEGATIVE_INFINITY, to: firstDataAt ?? Number.POSITIVE_INFINITY },
  ];
  return { busy: subtract(busy, unmonitored), notMonitored: intersect(busy, unmonitored) };
}

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
 * State events -> intervals within [from, to): each state lasts until the next event, but
 * no longer than `staleAfterMs` after it (the edge re-sends its state at every heartbeat, so
 * silence means no data: the machine is `unknown`). Before the first event it is `unknown`
 * too, never running.
 */
export function stateIntervals(
  events: readonly StateEvent[],
  from: number,
  to: number,
  staleAfterMs = Number.POSITIVE_INFINITY,
): StateInterval[] {
  const sorted = [...events].sort((a, b) => a.ts - b.ts);
  const out: StateInterval[] = [];
  const push = (start: number, end: number, state: MachineState, reason: string | null) => {
    const a = Math.max(start, from);
    const b = Math.min(end, to);
    if (b > a) out.push({ from: a, to: b, state, reason });
  };
  let cursor = from;
  for (let i = 0; i < sorted.length && sorted[i]!.ts < to; i++) {
    const e = sorted[i]!;
    const next = sorted[i + 1]?.ts ?? to;
    if (e.ts > cursor) push(cursor, e.ts, 'unknown', null);
    const end = Math.min(next, e.ts + staleAfterMs);
    push(e.ts, end, e.state, e.reason ?? null);
    if (end < next) push(end, next, 'unknown', 'no_data');
    cursor = Math.max(cursor, next);
  }
  if (cursor < to) push(cursor, to, 'unknown', null);
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

/**
 * Whether a stop is down time (against availability) or a small stop (left in run time).
 * Only its part inside planned busy time is measured against the microstop threshold
 * (docs/production-model.md, "Stops across a break"): a stop that runs on after a break
 * is as long as its unplanned part. `unknown` (no data) is always down, however short.
 */
export function isDownStop(
  state: MachineState,
  plannedMs: number,
  microstopThresholdMs: number,
): boolean {
  if (RUNNING.has(state)) return false;
  if (state === 'unknown') return true;
  return state !== 'microstop' && plannedMs >= microstopThresholdMs;
}

export interface TimeAccounting {
  /** ISO 22400-2 planned busy time (PBT): planned time in the window. */
  plannedBusyMs: number;
  /** Stops inside planned time that count against availability. */
  downMs: number;
  /** ISO 22400-2 actual production time (APT) = PBT − down. */
  runMs: number;
  /** Short stops inside planned time, left in run time (a performance loss). */
  microstopMs: number;
  /** The part of `downMs` that is setup: stops during changeovers, or with a setup reason. */
  setupMs: number;
}

/** What turns a stop into a setup loss instead of a breakdown (six big losses). */
export interface SetupRule {
  /** Changeover time within planned busy time. */
  changeovers: readonly Interval[];
  /** Reason codes whose `loss` is `setup` in the plant's reason tree. */
  reasons: ReadonlySet<string>;
}

/**
 * Where a machine's planned time went. A stop counts as down when its planned part lasts at
 * least `microstopThresholdMs`; shorter stops (and `microstop` states) stay in run time and show up
 * as lost performance. `unknown` (no data, gateway dead) is always down: it never counts
 * as running, however short.
 */
export function accountTime(
  states: readonly StateInterval[],
  planned: readonly Interval[],
  microstopThresholdMs: number,
  setup: SetupRule = { changeovers: [], reasons: new Set() },
): TimeAccounting {
  const plannedBusyMs = measure(planned);
  let downMs = 0;
  let microstopMs = 0;
  let setupMs = 0;
  for (const interval of states) {
    if (RUNNING.has(interval.state)) continue;
    const inPlan = intersect([interval], planned);
    const inPlanMs = measure(inPlan);
    if (inPlanMs === 0) continue;
    if (isDownStop(interval.state, inPlanMs, microstopThresholdMs)) {
      downMs += inPlanMs;
      setupMs +=
        interval.reason !== null && setup.reasons.has(interval.reason)
          ? inPlanMs
          : measure(intersect(inPlan, setup.changeovers));
    } else microstopMs += inPlanMs;
  }
  return { plannedBusyMs, downMs, runMs: plannedBusyMs - downMs, microstopMs, setupMs };
}

/** A reason given afterwards to the stop that started at `stopStart`. */
export interface StopReason {
  stopStart: number;
  reason: string;
}

export const isStop = (i: StateInterval) => !RUNNING.has(i.state) && i.state !== 'unknown';

/** Reasons given afterwards fill stops the PLC left unexplained; a PLC reason is never replaced. */
export function withStopReasons(
  states: readonly StateInterval[],
  reasons: readonly StopReason[],
): StateInterval[] {
  const byStart = new Map(reasons.map((r) => [r.stopStart, r.reason]));
  return states.map((i) =>
    isStop(i) && i.reason === null && byStart.has(i.from)
      ? { ...i, reason: byStart.get(i.from)! }
      : i,
  );
}

/**
 * The stop a late reason is for: the one containing `at`, or else the latest stop. A stop
 * that already has a reason, or no stop at all, gives the refusal's text instead.
 */
export function stopToExplain(
  states: readonly StateInterval[],
  at?: number,
): { stop: StateInterval } | { refused: string } {
  const stops = states.filter(isStop);
  const stop = at === undefined ? stops.at(-1) : stops.find((s) => s.from <= at && at < s.to);
  if (!stop)
    return {
      refused:
        at === undefined ? 'no stop in the reason window' : 'the machine was not stopped then',
    };
  if (stop.reason !== null) return { refused: `that stop already has the reason "${stop.reason}"` };
  return { stop };
}
