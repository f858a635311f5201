import { dateTimeFormat, type AlertRule } from '@takt/protocol';

/**
 * A rule's condition at one instant: `active` (the alert should open, once it has held for
 * the rule's duration), `clear` (past the hysteresis margin: an open alert may clear) or
 * `neutral` (inside the hysteresis band: nothing changes, but a pending duration restarts).
 */
export type Signal = 'active' | 'clear' | 'neutral';

type Threshold = Extract<AlertRule, { kind: 'threshold' }>;
type Rate = Extract<AlertRule, { kind: 'rate' }>;

/** A numeric reading, or undefined for text (a threshold on text is meaningless). */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

/** Above / below / outside a band, clearing only `clearMargin` back inside (hysteresis). */
export function thresholdSignal(rule: Threshold, value: number): Signal {
  const { above, below, clearMargin } = rule;
  if ((above !== undefined && value > above) || (below !== undefined && value < below))
    return 'active';
  const clearHigh = above === undefined || value <= above - clearMargin;
  const clearLow = below === undefined || value >= below + clearMargin;
  return clearHigh && clearLow ? 'clear' : 'neutral';
}

/** Change per minute between two readings, either way; `clearMargin` is in the same unit. */
export function rateSignal(rule: Rate, perMinute: number): Signal {
  const speed = Math.abs(perMinute);
  if (speed > rule.perMinute) return 'active';
  return speed <= rule.perMinute - rule.clearMargin ? 'clear' : 'neutral';
}

/** Below a target fraction, clearing at target + margin. */
export function belowTargetSignal(value: number, target: number, margin: number): Signal {
  if (value < target) return 'active';
  return value >= target + margin ? 'clear' : 'neutral';
}

/** How long the condition must hold before the alert opens, ms. */
export function openDelayMs(rule: AlertRule): number {
  switch (rule.kind) {
    case 'threshold':
    case 'rate':
    case 'gateway-offline':
      return rule.forS * 1000;
    case 'machine-down':
      return rule.forMin * 60_000;
    default:
      // no-data, work orders and OEE carry their duration in the condition itself; an andon
      // call opens at once.
      return 0;
  }
}

function minutesOfDay(at: number, timeZone: string): number {
  const parts = dateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return get('hour') * 60 + get('minute');
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Inside the rule's quiet hours (site time zone; an `end` before `start` crosses midnight). */
export function inQuietHours(rule: AlertRule, at: number, timeZone: string): boolean {
  if (!rule.quietHours) return false;
  const now = minutesOfDay(at, timeZone);
  const start = toMinutes(rule.quietHours.start);
  const end = toMinutes(rule.quietHours.end);
  return start <= end ? now >= start && now < end : now >= start || now < end;
}

/** Readable value for messages: 3 significant decimals at most. */
export function formatValue(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}
