/**
 * The polled alert rules judged over plain data (docs/architecture.md "Conventions" 4): no pool, no clock — `now` comes
 * in. polled.ts loads what a poll needs in a few set-based queries and hands it here; the
 * work-order figures are the shared `orderFigures` every screen reads, so an alert and a
 * board cannot disagree (docs/work-orders.md).
 */
import type { AlertRule, Message, ShiftConfig } from '@takt/protocol';
import {
  orderFigures,
  RATE_WINDOW_MS,
  STALL_AFTER_MS,
  type OperationActivity,
  type OrderPlanned,
} from '../domain/order-figures';
import type { WorkOrder } from '../domain/work-orders';
import type { SignalInput } from './engine';
import { shiftWindowAt } from './windows';

type RuleOf<K extends AlertRule['kind']> = Extract<AlertRule, { kind: K }>;
export type OrderRule = RuleOf<'work-order-stalled'> | RuleOf<'work-order-late'>;
export type OeeRule = RuleOf<'oee-below'>;

const HOUR_MS = 3_600_000;
const MIN_MS = 60_000;

/** An open order as loaded: the order, when it was created (ISO) and its operations' activity. */
export interface OrderFacts {
  order: WorkOrder;
  createdAt: string;
  /** By operation id (queries/orders.ts operationActivity). */
  activity: ReadonlyMap<string, OperationActivity>;
  /** The current plan's entry (planning/planned.ts): the ETA the screens show. */
  planned?: OrderPlanned | undefined;
}

export const isOrderRule = (r: AlertRule): r is OrderRule =>
  r.kind === 'work-order-stalled' || r.kind === 'work-order-late';

/** The signal of one rule for one order at `now`, with the words of its alert. */
export function judgeOrder(rule: OrderRule, facts: OrderFacts, now: number) {
  const id = facts.order.id;
  const figures = orderFigures({
    order: facts.order,
    planned: facts.planned,
    createdAt: Date.parse(facts.createdAt),
    activity: facts.activity,
    now,
    rateWindowMs: RATE_WINDOW_MS,
    stallAfterMs: rule.kind === 'work-order-stalled' ? rule.forH * HOUR_MS : STALL_AFTER_MS,
  });
  if (rule.kind === 'work-order-stalled') {
    const { stalled } = figures;
    const message: Message = stalled
      ? {
          key: 'alert.order-stalled',
          params: { order: id, duration: { durationS: rule.forH * 3600 } },
        }
      : { key: 'alert.order-moving', params: { order: id } };
    return { active: stalled, message };
  }
  const { lateRisk, eta } = figures;
  const key = lateRisk ? 'alert.order-late' : 'alert.order-on-time';
  const message: Message =
    eta === null
      ? { key: `${key}-no-eta`, params: { order: id } }
      : { key, params: { order: id, eta: { time: new Date(eta).toISOString() } } };
  return { active: lateRisk, message };
}

/**
 * Stalled and late-risk orders at `now`: per rule, a signal for each open order, then a
 * clear for each alert of the rule whose order is no longer open (finished or gone).
 * `alerts`: the alerts not cleared, as (rule, subject).
 */
export function judgeWorkOrders(
  rules: readonly OrderRule[],
  orders: readonly OrderFacts[],
  alerts: readonly { rule: string; subject: string }[],
  now: number,
): SignalInput[] {
  const open = new Set(orders.map((o) => o.order.id));
  const signals: SignalInput[] = [];
  for (const rule of rules) {
    for (const facts of orders) {
      const { active, message } = judgeOrder(rule, facts, now);
      const signal = active ? 'active' : 'clear';
      signals.push({ rule: rule.id, subject: facts.order.id, signal, at: now, message });
    }
    for (const alert of alerts)
      if (alert.rule === rule.id && !open.has(alert.subject))
        signals.push({ rule: rule.id, subject: alert.subject, signal: 'clear', at: now });
  }
  return signals;
}

/** One machine of one OEE rule to judge: over [from, now), or nothing when `from` is undefined. */
export interface OeeCheck {
  rule: OeeRule;
  machine: string;
  /** Names the window (`<shift>@<date>`, `rolling` or `no-shift`): a new one clears the last's alert. */
  window: string;
  from: number | undefined;
}

/**
 * What each OEE rule measures at `now`: the current shift (site time zone) or a rolling
 * window, from the machine's first state at the earliest — time before a machine ever
 * reported is not judged (a new machine, a fresh install): it would count as down and open
 * an alert about data that never existed. Outside every shift nothing is planned: the
 * check has no window and the last shift's alert ends.
 */
export function oeeChecks(
  rules: readonly AlertRule[],
  shifts: readonly ShiftConfig[],
  timeZone: string,
  firstStateAt: ReadonlyMap<string, number>,
  now: number,
): OeeCheck[] {
  const checks: OeeCheck[] = [];
  for (const rule of rules) {
    if (rule.kind !== 'oee-below') continue;
    const window =
      rule.window === 'shift'
        ? shiftWindowAt(shifts, now, timeZone)
        : { key: 'rolling', from: now - rule.window.rollingMin * MIN_MS };
    for (const machine of rule.machines) {
      if (!window) {
        checks.push({ rule, machine, window: 'no-shift', from: undefined });
        continue;
      }
      const from = Math.max(window.from, firstStateAt.get(machine) ?? now);
      checks.push({ rule, machine, window: window.key, from: from < now ? from : undefined });
    }
  }
  return checks;
}
