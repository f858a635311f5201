/**
 * The timestamp horizon (issue 6; docs/production-model.md "Timestamp horizon"): which edge
 * timestamps are plausible, which stored time a new one replaces, and how far off a
 * gateway's clock is. Plain functions over numbers (epoch ms); no I/O.
 */
import type { MessageKind } from '@takt/protocol';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The ingest setting (TAKT_HORIZON_AHEAD_S, TAKT_HORIZON_MAX_AGE_DAYS; docs/config-reference.md). */
export interface TimeHorizon {
  /** A timestamp further than this ahead of its receive time is quarantined. */
  aheadMs: number;
  /** Oldest plausible age for what is kept forever (states, counts, scans, statuses). */
  maxAgeDays: number;
}

export const DEFAULT_HORIZON: TimeHorizon = Object.freeze({ aheadMs: HOUR_MS, maxAgeDays: 365 });

/** The plausible window of one message kind, relative to its receive time. */
export interface TimeLimits {
  aheadMs: number;
  maxAgeMs: number;
  /** What the past limit is, for the reason (`the raw retention of 30 days`). */
  maxAgeWhy: string;
}

/**
 * Metrics become samples, kept `rawRetentionDays` (0: forever): older than that they would
 * land in a partition the next upkeep drops, so they are quarantined. Everything else is
 * kept forever and gets the horizon's own age limit.
 */
export function limitsFor(
  kind: MessageKind,
  horizon: TimeHorizon,
  rawRetentionDays: number,
): TimeLimits {
  if (kind === 'metrics' && rawRetentionDays > 0)
    return {
      aheadMs: horizon.aheadMs,
      maxAgeMs: rawRetentionDays * DAY_MS,
      maxAgeWhy: `the raw retention of ${rawRetentionDays} days`,
    };
  return {
    aheadMs: horizon.aheadMs,
    maxAgeMs: horizon.maxAgeDays * DAY_MS,
    maxAgeWhy: `the horizon of ${horizon.maxAgeDays} days`,
  };
}

function span(ms: number): string {
  if (ms >= 2 * DAY_MS) return `${Math.floor(ms / DAY_MS)} days`;
  if (ms >= 2 * HOUR_MS) return `${Math.floor(ms / HOUR_MS)} h`;
  return `${Math.round(ms / 1000)} s`;
}

/** Why a timestamp is outside the horizon (the dead letter's reason), or undefined if it is not. */
export function timestampProblem(
  tsMs: number,
  receivedAtMs: number,
  limits: TimeLimits,
): string | undefined {
  // The text only for a problem: this runs for every reading (docs/decisions.md "Issue 22 —
  // less work per reading").
  const when = () => new Date(tsMs).toISOString();
  if (tsMs - receivedAtMs > limits.aheadMs)
    return `timestamp ${when()} is ${span(tsMs - receivedAtMs)} ahead of its receive time (horizon ${span(limits.aheadMs)}): the gateway's clock is wrong`;
  if (receivedAtMs - tsMs > limits.maxAgeMs)
    return `timestamp ${when()} is ${span(receivedAtMs - tsMs)} old, older than ${limits.maxAgeWhy}`;
  return undefined;
}

/**
 * Whether a live value stamped `incomingMs` replaces the one stored at `storedMs`: the newest
 * plausible time wins, and a stored time beyond the horizon (written before the horizon
 * existed) never holds a plausible one back. The writer's SQL applies this rule with the
 * bound `nowMs + aheadMs` (pipeline/write-series.ts).
 */
export function supersedes(
  storedMs: number | null,
  incomingMs: number,
  nowMs: number,
  aheadMs: number,
): boolean {
  return storedMs === null || storedMs <= incomingMs || storedMs > nowMs + aheadMs;
}

/** A gateway clock further off than this is flagged (issue 4, docs/decisions.md "Clock sanity"). */
export const CLOCK_SKEW_LIMIT_MS = 60_000;

/**
 * How far ahead of ingest a message says the gateway's clock is, when the message can tell:
 * - a retained message replayed by the broker on (re)subscribe is old by design ([MQTT-3.3.1-8]
 *   marks it retained): it tells nothing;
 * - a status is built when it is sent: its offset either way is the clock's;
 * - a reading may come from the disk queue, hours late (store-and-forward): one that seems
 *   behind tells nothing, one within the limit or ahead shows the clock (nothing arrives
 *   before it was stamped).
 */
export function clockOffset(
  kind: MessageKind,
  tsMs: number,
  receivedAtMs: number,
  retained: boolean,
): number | undefined {
  if (retained) return undefined;
  const offsetMs = tsMs - receivedAtMs;
  if (kind === 'status' || offsetMs >= -CLOCK_SKEW_LIMIT_MS) return offsetMs;
  return undefined;
}

export const isSkewed = (offsetMs: number): boolean => Math.abs(offsetMs) > CLOCK_SKEW_LIMIT_MS;

/**
 * The times series partitions may be made for: the plausible window plus a day each side
 * (a day partition overlapping the window's edge), and the days made ahead by the upkeep.
 */
export function partitionWindow(
  nowMs: number,
  limits: Pick<TimeLimits, 'aheadMs' | 'maxAgeMs'>,
  aheadDays = 0,
): { fromMs: number; toMs: number } {
  return {
    fromMs: nowMs - limits.maxAgeMs - DAY_MS,
    toMs: nowMs + Math.max(limits.aheadMs, aheadDays * DAY_MS) + DAY_MS,
  };
}
