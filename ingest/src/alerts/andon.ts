/**
 * Andon calls judged over plain data (docs/architecture.md "Conventions" 4; docs/decisions.md
 * "Issue 17 — andon calls"): which rule a station's `ANDON:<call>` scan calls, the state of a
 * station's calls, and the response times of calls. No pool, no clock: `now` comes in.
 */
import {
  word,
  type AlertRule,
  type AndonRule,
  type Message,
  type PlantModel,
} from '@takt/protocol';

/** The scan action of an andon call (the station code `ANDON:<call>` sets it; the call is its reason). */
export const ANDON_ACTION = 'andon';

/** How long a cleared call still shows on its station as cleared. */
export const CLEARED_RECENTLY_MS = 5 * 60_000;

/** Why a scan calls no rule: it is no andon call, or no rule in force offers its call at its station. */
export type AndonRefusal = 'not-a-call' | 'unknown-call';
export type AndonCall = { ok: true; rule: AndonRule } | { ok: false; reason: AndonRefusal };

/** What a call needs of a scan: its station (the topic's machine level) and its fields. */
export interface CallScan {
  station: string;
  action?: string | undefined;
  reason?: string | undefined;
}

/** The plant model (its rules) or the rules in force (`AlertEngine.ruleList`). */
export type RuleSource = Pick<PlantModel, 'alerts'> | readonly AlertRule[] | undefined;

const rulesOf = (source: RuleSource): readonly AlertRule[] =>
  source === undefined ? [] : 'alerts' in source ? source.alerts.rules : source;

/** The andon rules that offer a call at a station, in the rules' order (the station's buttons). */
export function andonRulesAt(source: RuleSource, station: string): AndonRule[] {
  return rulesOf(source).filter(
    (r): r is AndonRule =>
      r.kind === 'andon' && r.enabled && (r.stations === undefined || r.stations.includes(station)),
  );
}

export const isAndonScan = (scan: { action?: string | undefined }) =>
  (scan.action ?? '').toLowerCase() === ANDON_ACTION;

/** The rule a scan calls, or why it calls none (the station shows the refusal). */
export function andonCallOf(source: RuleSource, scan: CallScan): AndonCall {
  if (!isAndonScan(scan)) return { ok: false, reason: 'not-a-call' };
  const call = scan.reason ?? '';
  const rule = andonRulesAt(source, scan.station).find((r) => r.call === call);
  return rule ? { ok: true, rule } : { ok: false, reason: 'unknown-call' };
}

/**
 * The alert's words: what is called (the rule's label in the reader's language, see
 * `andonLabels` in protocol/src/messages/alerts.ts), the station, who called.
 */
export function callMessage(rule: AndonRule, station: string, operator?: string): Message {
  const what = word(`andon.label.${rule.id}`);
  return operator
    ? { key: 'alert.andon-call-by', params: { what, station, operator } }
    : { key: 'alert.andon-call', params: { what, station } };
}

export const CALL_STATES = ['idle', 'called', 'acknowledged', 'cleared-recently'] as const;
export type CallState = (typeof CALL_STATES)[number];

/** The latest alert of a rule at a station, as stored (times in ms). */
export interface CallAlert {
  id: number;
  rule: string;
  status: 'open' | 'acknowledged' | 'cleared';
  openedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  clearedAt: number | null;
  clearedBy: string | null;
}

export interface StationCall {
  rule: AndonRule;
  state: CallState;
  /** The alert the state is about; none when idle. */
  alert: CallAlert | null;
  /** now − calledAt while the call is open (called or acknowledged), else null. */
  waitingMs: number | null;
}

/**
 * Every call a station offers and its state at `now`: `called` and `acknowledged` while its
 * alert is open, `cleared-recently` for `recentlyMs` after a clear, else `idle`.
 */
export function stationCalls(
  rules: readonly AndonRule[],
  latest: ReadonlyMap<string, CallAlert>,
  now: number,
  recentlyMs = CLEARED_RECENTLY_MS,
): StationCall[] {
  return rules.map((rule) => {
    const alert = latest.get(rule.id);
    if (!alert) return { rule, state: 'idle', alert: null, waitingMs: null };
    if (alert.status !== 'cleared') {
      const state = alert.status === 'open' ? 'called' : 'acknowledged';
      return { rule, state, alert, waitingMs: Math.max(0, now - alert.openedAt) };
    }
    const recent = alert.clearedAt !== null && now - alert.clearedAt < recentlyMs;
    return recent
      ? { rule, state: 'cleared-recently', alert, waitingMs: null }
      : { rule, state: 'idle', alert: null, waitingMs: null };
  });
}

/** Nearest-rank percentile (`p` in (0, 1]) of values sorted ascending; null when there are none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1]!;
}

export interface TimeStats {
  count: number;
  p50Ms: number | null;
  p90Ms: number | null;
  maxMs: number | null;
}

function stats(values: number[]): TimeStats {
  const sorted = values.sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 0.5),
    p90Ms: percentile(sorted, 0.9),
    maxMs: sorted.length === 0 ? null : sorted[sorted.length - 1]!,
  };
}

export interface CallResponse {
  rule: AndonRule;
  /** Calls opened in the window. */
  count: number;
  /** Of them, still not cleared. */
  open: number;
  /** Until acknowledged (or cleared by a person, when nobody acknowledged it first). */
  acknowledge: TimeStats;
  /** Until cleared by a person. */
  clear: TimeStats;
}

/**
 * Response times per call type over calls (alerts of andon rules). A call's times start at
 * its edge time (when the station called) and end at ingest's time of the answer: a
 * negative span (a station clock ahead) counts as 0. A clear because the rule was removed
 * is no answer: it counts in neither time.
 */
export function responseTimes(
  rules: readonly AndonRule[],
  calls: readonly CallAlert[],
): CallResponse[] {
  return rules.map((rule) => {
    const mine = calls.filter((c) => c.rule === rule.id);
    const span = (end: number, start: number) => Math.max(0, end - start);
    const answered = (c: CallAlert) => c.clearedAt !== null && c.clearedBy !== 'rule-removed';
    const ack: number[] = [];
    const clear: number[] = [];
    for (const c of mine) {
      if (c.acknowledgedAt !== null) ack.push(span(c.acknowledgedAt, c.openedAt));
      else if (answered(c)) ack.push(span(c.clearedAt!, c.openedAt));
      if (answered(c)) clear.push(span(c.clearedAt!, c.openedAt));
    }
    return {
      rule,
      count: mine.length,
      open: mine.filter((c) => c.status !== 'cleared').length,
      acknowledge: stats(ack),
      clear: stats(clear),
    };
  });
}
