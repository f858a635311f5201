import type { AlertRule, AlertSeverity, Message } from '@takt/protocol';
import { inQuietHours, openDelayMs, type Signal } from './conditions';

/** A signal without words (a clear): the alert it could open says nothing. */
const NO_MESSAGE: Message = { key: 'legacy.text', params: { text: '' } };

export type AlertStatus = 'open' | 'acknowledged' | 'cleared';

/** One alert of one rule about one subject (a machine, a gateway, a work order). */
export interface AlertRecord {
  /** `<rule>|<subject>`: at most one alert per key is not cleared. */
  key: string;
  rule: string;
  subject: string;
  severity: AlertSeverity;
  status: AlertStatus;
  openedAt: number;
  /** The value and words that opened it (or its last update). */
  value: number | null;
  /** What it says, as a message (rendered in the reader's language where it is read). */
  message: Message;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  ackComment: string | null;
  clearedAt: number | null;
  /** `condition`, `window-ended`, `rule-removed` or the person who cleared it by hand. */
  clearedBy: string | null;
  escalatedAt: number | null;
}

export type AlertEffectKind = 'opened' | 'acknowledged' | 'cleared' | 'escalated';

/** What the engine decided; the plugin stores it and delivers it. */
export interface AlertEffect {
  kind: AlertEffectKind;
  alert: AlertRecord;
  at: number;
  /** Channel ids to tell: none in quiet hours, the escalation's on `escalated`. */
  notify: string[];
  quiet: boolean;
  /** What the person said (ack or hand clear). */
  comment?: string;
}

interface Track {
  rule: AlertRule;
  subject: string;
  signal: Signal;
  /** Since when the current signal holds. */
  since: number;
  value: number | null;
  /** Words for the alert, made only when one opens (readings come far more often than alerts). */
  message: Message | (() => Message);
  alert: AlertRecord | undefined;
  /** False after a hand clear while the condition was still there: re-arms when it clears. */
  armed: boolean;
  /** Channels that heard the alert open or escalate: they, and only they, hear it clear. */
  told: Set<string>;
  /** For windowed rules (OEE per shift): the window the signal belongs to. */
  window?: string | undefined;
}

export interface SignalInput {
  rule: string;
  subject: string;
  signal: Signal;
  at: number;
  value?: number | null;
  message?: Message | (() => Message);
}

/**
 * The alert life cycle (docs/production-model.md), pure: no clock, no I/O. Conditions come in as
 * signals per (rule, subject), from the stream or from polled checks; `tick(now)` advances
 * durations and escalations. One alert per (rule, subject) until it clears; it opens when
 * the condition held `forS`, clears when the clear condition (past the hysteresis margin)
 * held `clearForS`, so a flapping signal makes one alert, not a storm.
 */
export class AlertEngine {
  private rules = new Map<string, AlertRule>();
  private tracks = new Map<string, Track>();
  /** Bumped on every rule change: the watcher rebuilds its lookup tables. */
  version = 0;

  constructor(
    rules: readonly AlertRule[],
    private readonly timeZone: string,
  ) {
    this.setRules(rules, 0);
  }

  get ruleList(): AlertRule[] {
    return [...this.rules.values()];
  }

  rule(id: string): AlertRule | undefined {
    return this.rules.get(id);
  }

  /** New rules (an admin's edit): alerts of removed or disabled rules clear. */
  setRules(rules: readonly AlertRule[], now: number): AlertEffect[] {
    this.rules = new Map(rules.filter((r) => r.enabled).map((r) => [r.id, r]));
    this.version++;
    const effects: AlertEffect[] = [];
    for (const [key, track] of this.tracks) {
      const rule = this.rules.get(track.rule.id);
      if (rule) {
        track.rule = rule;
        if (track.alert) track.alert.severity = rule.severity;
        continue;
      }
      if (track.alert) effects.push(this.clearAlert(track, now, 'rule-removed'));
      this.tracks.delete(key);
    }
    return effects;
  }

  /** Alerts not cleared (after a restart, from the database). */
  restore(alerts: readonly AlertRecord[]): void {
    for (const alert of alerts) {
      const rule = this.rules.get(alert.rule);
      if (!rule || alert.status === 'cleared') continue;
      this.tracks.set(alert.key, {
        rule,
        subject: alert.subject,
        signal: 'neutral',
        since: alert.openedAt,
        value: alert.value,
        message: alert.message,
        alert: { ...alert },
        armed: true,
        told: new Set([
          ...rule.notify,
          ...(alert.escalatedAt !== null ? (rule.escalate?.notify ?? []) : []),
        ]),
      });
    }
  }

  open(): AlertRecord[] {
    return [...this.tracks.values()].flatMap((t) => (t.alert ? [t.alert] : []));
  }

  /** The condition of a rule about a subject, now. Repeating a signal keeps its `since`. */
  signal(input: SignalInput, window?: string): AlertEffect[] {
    const rule = this.rules.get(input.rule);
    if (!rule) return [];
    const key = `${rule.id}|${input.subject}`;
    let track = this.tracks.get(key);
    const effects: AlertEffect[] = [];
    if (!track) {
      track = {
        rule,
        subject: input.subject,
        signal: input.signal,
        since: input.at,
        value: input.value ?? null,
        message: input.message ?? NO_MESSAGE,
        alert: undefined,
        armed: true,
        told: new Set(),
        window,
      };
      this.tracks.set(key, track);
    } else if (window !== undefined && track.window !== window) {
      // A new shift (or window): the last one's verdict no longer stands.
      if (track.alert) effects.push(this.clearAlert(track, input.at, 'window-ended'));
      track.armed = true;
      track.window = window;
      track.signal = input.signal;
      track.since = input.at;
    } else if (track.signal !== input.signal) {
      track.signal = input.signal;
      track.since = input.at;
    }
    if (input.value !== undefined) track.value = input.value;
    if (input.message !== undefined) track.message = input.message;
    effects.push(...this.advance(track, input.at));
    return effects;
  }

  /** Advance every duration and escalation to `now`. */
  tick(now: number): AlertEffect[] {
    const effects: AlertEffect[] = [];
    for (const track of this.tracks.values()) effects.push(...this.advance(track, now));
    return effects;
  }

  acknowledge(key: string, by: string, comment: string | null, now: number): AlertEffect {
    const track = this.tracks.get(key);
    const alert = track?.alert;
    if (!track || !alert) throw new Error(`no open alert ${key}`);
    if (alert.status === 'open') {
      alert.status = 'acknowledged';
      alert.acknowledgedAt = now;
      alert.acknowledgedBy = by;
      alert.ackComment = comment;
    }
    return this.effect('acknowledged', track, now, []);
  }

  /** Cleared by hand: it re-arms only once the clear condition has held. */
  clearByHand(key: string, by: string, now: number): AlertEffect {
    const track = this.tracks.get(key);
    if (!track?.alert) throw new Error(`no open alert ${key}`);
    const effect = this.clearAlert(track, now, by);
    track.armed = this.clearHeld(track, now);
    return effect;
  }

  /**
   * An event that is the alert itself (an andon call, docs/decisions.md "Issue 17 — andon
   * calls"): opens one at `input.at` unless one of the rule is open about the subject; only
   * a hand clear ends it. Returns no effect when one is open already.
   */
  raise(input: Omit<SignalInput, 'signal'>): AlertEffect[] {
    const rule = this.rules.get(input.rule);
    if (!rule) return [];
    const key = `${rule.id}|${input.subject}`;
    const open = this.tracks.get(key);
    if (open?.alert) return [];
    const track: Track = {
      rule,
      subject: input.subject,
      signal: 'active',
      since: input.at,
      value: input.value ?? null,
      message: input.message ?? NO_MESSAGE,
      alert: undefined,
      armed: true,
      told: new Set(),
    };
    this.tracks.set(key, track);
    const effects = this.advance(track, input.at);
    // Held neutral: the clock neither opens it again after a hand clear nor clears it.
    track.signal = 'neutral';
    return effects;
  }

  private clearHeld(track: Track, now: number): boolean {
    const clearForS = 'clearForS' in track.rule ? track.rule.clearForS : 0;
    return track.signal === 'clear' && now - track.since >= clearForS * 1000;
  }

  private advance(track: Track, now: number): AlertEffect[] {
    const { rule } = track;
    if (!track.alert) {
      if (!track.armed && this.clearHeld(track, now)) track.armed = true;
      if (track.armed && track.signal === 'active' && now - track.since >= openDelayMs(rule)) {
        track.alert = {
          key: `${rule.id}|${track.subject}`,
          rule: rule.id,
          subject: track.subject,
          severity: rule.severity,
          status: 'open',
          openedAt: now,
          value: track.value,
          message: typeof track.message === 'function' ? track.message() : track.message,
          acknowledgedAt: null,
          acknowledgedBy: null,
          ackComment: null,
          clearedAt: null,
          clearedBy: null,
          escalatedAt: null,
        };
        const opened = this.effect('opened', track, now, rule.notify);
        track.told = new Set(opened.notify); // none in quiet hours
        return [opened];
      }
      return [];
    }
    if (this.clearHeld(track, now)) return [this.clearAlert(track, now, 'condition')];
    const alert = track.alert;
    if (
      rule.escalate &&
      alert.status === 'open' &&
      alert.escalatedAt === null &&
      now - alert.openedAt >= rule.escalate.afterMin * 60_000
    ) {
      alert.escalatedAt = now;
      const escalated = this.effect('escalated', track, now, rule.escalate.notify);
      for (const c of escalated.notify) track.told.add(c);
      return [escalated];
    }
    return [];
  }

  private clearAlert(track: Track, now: number, by: string): AlertEffect {
    const alert = track.alert!;
    alert.status = 'cleared';
    alert.clearedAt = now;
    alert.clearedBy = by;
    track.alert = undefined;
    // Those who heard it open (or escalate) hear it clear; nobody hears of an alert only cleared.
    const told = [...track.told];
    track.told = new Set();
    return this.effect('cleared', { ...track, alert }, now, told);
  }

  private effect(
    kind: AlertEffectKind,
    track: Track,
    at: number,
    channels: readonly string[],
  ): AlertEffect {
    const quiet = inQuietHours(track.rule, at, this.timeZone);
    return {
      kind,
      alert: { ...track.alert! },
      at,
      notify: quiet ? [] : [...channels],
      quiet,
    };
  }
}
