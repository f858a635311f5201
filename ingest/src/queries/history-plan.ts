/**
 * The historian's plan for one request, as plain data (no I/O): which table to read and at
 * what bucket width, chosen from the window and the chart's width, so that a year of
 * one-second data comes back as a few thousand points read from the hourly rollup.
 */

export const HISTORY_LIMITS = Object.freeze({
  defaultPoints: 1000,
  maxPoints: 10_000,
  /** The widest window any request may ask for. */
  maxWindowDays: 3660,
  /** Raw rows, and buckets under a minute (read from raw samples), only for windows this short. */
  maxRawWindowS: 86_400,
  /** A raw answer never holds more rows than this; a window holding more is refused. */
  maxRawRows: 100_000,
  maxTags: 20,
});

/** Bucket widths `auto` picks from: each divides the next level's rollup or is a multiple of it. */
export const BUCKET_LADDER_S = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
] as const;

export type HistorySource = 'samples' | 'samples_1m' | 'samples_1h';

export interface HistoryPlan {
  fromMs: number;
  toMs: number;
  /** null: raw rows, no buckets. */
  bucketS: number | null;
  source: HistorySource;
}

export type PlanResult = { ok: true; plan: HistoryPlan } | { ok: false; reason: string };

const UNIT_S = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** "raw" | "auto" | "<n>s|m|h|d" -> seconds (null for raw); undefined when malformed. */
export function parseBucket(text: string): number | null | 'auto' | undefined {
  if (text === 'raw') return null;
  if (text === 'auto') return 'auto';
  const match = /^([1-9]\d{0,5})(s|m|h|d)$/.exec(text);
  return match ? Number(match[1]) * UNIT_S[match[2] as keyof typeof UNIT_S] : undefined;
}

/** The shortest label of a bucket width: 90 -> "90s", 3600 -> "1h". */
export function bucketLabel(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const)
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}

function sourceFor(bucketS: number): HistorySource {
  if (bucketS % 3600 === 0) return 'samples_1h';
  if (bucketS % 60 === 0) return 'samples_1m';
  return 'samples';
}

export function planHistory(request: {
  fromMs: number;
  toMs: number;
  points: number;
  bucket: string;
}): PlanResult {
  const { fromMs, toMs, points } = request;
  const fail = (reason: string): PlanResult => ({ ok: false, reason });
  if (!(toMs > fromMs)) return fail('from must be before to');
  const windowS = (toMs - fromMs) / 1000;
  if (windowS > HISTORY_LIMITS.maxWindowDays * 86_400)
    return fail(`the window is longer than ${HISTORY_LIMITS.maxWindowDays} days`);
  if (!Number.isInteger(points) || points < 2 || points > HISTORY_LIMITS.maxPoints)
    return fail(`points must be a whole number from 2 to ${HISTORY_LIMITS.maxPoints}`);
  const asked = parseBucket(request.bucket);
  if (asked === undefined)
    return fail(`bucket "${request.bucket}" is not raw, auto or a width like 10s, 5m, 1h, 1d`);
  if (asked === null) {
    if (windowS > HISTORY_LIMITS.maxRawWindowS)
      return fail(
        `raw samples are served for windows up to ${HISTORY_LIMITS.maxRawWindowS / 3600} h; use buckets for longer ones`,
      );
    return { ok: true, plan: { fromMs, toMs, bucketS: null, source: 'samples' } };
  }
  let bucketS: number;
  if (asked === 'auto') {
    const wanted = windowS / points;
    bucketS = BUCKET_LADDER_S.find((b) => b >= wanted) ?? Math.ceil(wanted / 86_400) * 86_400;
    // Wide windows never read raw rows: the minute rollup is the finest level for them.
    if (windowS > HISTORY_LIMITS.maxRawWindowS && bucketS < 60) bucketS = 60;
  } else {
    bucketS = asked;
    if (bucketS > HISTORY_LIMITS.maxWindowDays * 86_400)
      return fail(`bucket ${request.bucket} is wider than any window`);
    const buckets = Math.ceil(windowS / bucketS);
    if (buckets > HISTORY_LIMITS.maxPoints)
      return fail(
        `bucket ${request.bucket} gives ${buckets} buckets over this window; at most ${HISTORY_LIMITS.maxPoints}`,
      );
    if (sourceFor(bucketS) === 'samples' && windowS > HISTORY_LIMITS.maxRawWindowS)
      return fail(
        `buckets under a minute (or not whole minutes) are computed from raw samples, for windows up to ${HISTORY_LIMITS.maxRawWindowS / 3600} h`,
      );
  }
  // Whole buckets: the first and last are not cut by the window's edges.
  const b = bucketS * 1000;
  return {
    ok: true,
    plan: {
      fromMs: Math.floor(fromMs / b) * b,
      toMs: Math.ceil(toMs / b) * b,
      bucketS,
      source: sourceFor(bucketS),
    },
  };
}
