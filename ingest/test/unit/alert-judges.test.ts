import {
  alertRuleSchema,
  renderMessage,
  SERVER_MESSAGES,
  shiftSchema,
  type AlertRule,
  type Message,
} from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import {
  judgeOrder,
  judgeWorkOrders,
  oeeChecks,
  type OrderFacts,
  type OrderRule,
} from '../../src/alerts/judges';
import type { OperationActivity } from '../../src/domain/order-figures';
import type { Operation } from '../../src/domain/work-orders';

const MIN = 60_000;
const H = 60 * MIN;
const NOW = Date.UTC(2026, 10, 23, 12, 0); // Monday 12:00 UTC

const rule = (r: unknown) => alertRuleSchema.parse(r);
const stall = rule({ id: 'stall', kind: 'work-order-stalled', forH: 3 }) as OrderRule;
const late = rule({ id: 'late', kind: 'work-order-late' }) as OrderRule;

const op = (o: Partial<Operation>): Operation => ({
  id: 'OP10',
  machine: 'press-01',
  status: 'running',
  good: 0,
  rejected: 0,
  startedAt: NOW - 6 * H,
  completedAt: null,
  ...o,
});
const act = (a: Partial<OperationActivity>): OperationActivity => ({
  recentGood: 0,
  lastGoodAt: null,
  lastStartAt: null,
  idealCycleMs: null,
  ...a,
});
function facts(id: string, dueAt: number | null, ops: Operation[], acts: OperationActivity[]) {
  return {
    order: { id, quantity: 1000, dueAt, operations: ops },
    createdAt: new Date(NOW - 8 * H).toISOString(),
    activity: new Map(ops.map((o, i) => [o.id, acts[i]!])),
  } satisfies OrderFacts;
}

/*
 * WO-A: 400 of 1,000 made, 300 of them in the last hour (300/h), last piece 10 min ago:
 * 600 left at 300/h is 2 h, ETA 14:00, due 13:00 -> late risk; moving.
 * WO-B: 100 made, last piece 3 h 30 min ago (stall rule: 3 h), no recent pieces, ideal cycle
 * 1.8 s (2,000/h): 900 left is 27 min, ETA 12:27, due tomorrow -> stalled, on time.
 */
const woA = facts(
  'WO-A',
  NOW + H,
  [op({ good: 400 })],
  [act({ recentGood: 300, lastGoodAt: NOW - 10 * MIN })],
);
const woB = facts(
  'WO-B',
  NOW + 24 * H,
  [op({ good: 100 })],
  [act({ lastGoodAt: NOW - 3.5 * H, idealCycleMs: 1800 })],
);

/** The verdict with its message rendered (UTC, this year) in `lang`. */
const said = (v: { active: boolean; message: Message }, lang: 'en' | 'zh-CN' = 'en') => ({
  active: v.active,
  message: renderMessage(SERVER_MESSAGES, v.message, lang, { timeZone: 'UTC', now: NOW }),
});

describe('judgeOrder', () => {
  it('finds the late risk from the ETA over the remaining pieces', () => {
    expect(said(judgeOrder(late, woA, NOW))).toEqual({
      active: true,
      message: 'work order WO-A may miss its due date (ETA 11-23 14:00)',
    });
    expect(said(judgeOrder(late, woA, NOW), 'zh-CN').message).toBe(
      '工单 WO-A 可能无法按期交付（预计完成 11-23 14:00）',
    );
    expect(said(judgeOrder(late, woB, NOW))).toEqual({
      active: false,
      message: 'work order WO-B is on time for its due date (ETA 11-23 12:27)',
    });
  });

  it("judges a stall with the rule's own window, not the screens' 2 h", () => {
    expect(said(judgeOrder(stall, woA, NOW))).toEqual({
      active: false,
      message: 'work order WO-A is moving',
    });
    expect(said(judgeOrder(stall, woB, NOW))).toEqual({
      active: true,
      message: 'work order WO-B has made no good piece for 3 h',
    });
    // 3 h 30 min without a piece is not a stall under a 4 h rule.
    const slow = rule({ id: 's4', kind: 'work-order-stalled', forH: 4 }) as OrderRule;
    expect(judgeOrder(slow, woB, NOW).active).toBe(false);
  });

  it('counts a resumed operation from its newest start scan', () => {
    const resumed = facts(
      'WO-C',
      null,
      [op({ good: 100 })],
      [act({ lastGoodAt: NOW - 5 * H, lastStartAt: NOW - 1 * H })],
    );
    expect(judgeOrder(stall, resumed, NOW).active).toBe(false);
    expect(judgeOrder(stall, resumed, NOW + 2 * H).active).toBe(true);
  });

  it('has no ETA for an order without rate or ideal cycle: late once past due', () => {
    const blind = facts('WO-D', NOW + H, [op({ good: 1 })], [act({})]);
    expect(said(judgeOrder(late, blind, NOW))).toEqual({
      active: false,
      message: 'work order WO-D is on time for its due date (no ETA)',
    });
    expect(judgeOrder(late, blind, NOW + H).active).toBe(true);
  });
});

describe('judgeWorkOrders', () => {
  it('signals every open order per rule, then clears the alerts of orders no longer open', () => {
    const alerts = [
      { rule: 'stall', subject: 'WO-B' },
      { rule: 'stall', subject: 'WO-GONE' },
      { rule: 'other', subject: 'WO-ELSE' },
    ];
    const signals = judgeWorkOrders([stall, late], [woA, woB], alerts, NOW);
    expect(signals.map((s) => [s.rule, s.subject, s.signal, s.at])).toEqual([
      ['stall', 'WO-A', 'clear', NOW],
      ['stall', 'WO-B', 'active', NOW],
      ['stall', 'WO-GONE', 'clear', NOW],
      ['late', 'WO-A', 'active', NOW],
      ['late', 'WO-B', 'clear', NOW],
    ]);
    expect(signals[2]).not.toHaveProperty('message');
  });

  it('signals nothing without orders or alerts', () => {
    expect(judgeWorkOrders([stall, late], [], [], NOW)).toEqual([]);
  });
});

describe('oeeChecks', () => {
  const shifts = [
    shiftSchema.parse({
      id: 'day',
      name: 'Day',
      start: '06:00',
      end: '14:00',
      days: ['mon', 'tue'],
    }),
  ];
  const rules: AlertRule[] = [
    rule({ id: 'shift', kind: 'oee-below', machines: ['m1', 'm2', 'm3'], below: 0.6 }),
    rule({
      id: 'roll',
      kind: 'oee-below',
      machines: ['m1'],
      below: 0.6,
      window: { rollingMin: 90 },
    }),
    late,
  ];
  // m1 reported since 05:00, m2 only since 11:00, m3 never.
  const first = new Map([
    ['m1', NOW - 7 * H],
    ['m2', NOW - H],
  ]);

  it('measures the shift (or a rolling window) from the first state at the earliest', () => {
    const checks = oeeChecks(rules, shifts, 'UTC', first, NOW);
    expect(checks.map((c) => [c.rule.id, c.machine, c.window, c.from])).toEqual([
      ['shift', 'm1', 'day@2026-11-23', NOW - 6 * H],
      ['shift', 'm2', 'day@2026-11-23', NOW - H],
      ['shift', 'm3', 'day@2026-11-23', undefined],
      ['roll', 'm1', 'rolling', NOW - 90 * MIN],
    ]);
  });

  it('has no window outside every shift, and reads the shift in the site time zone', () => {
    const evening = NOW + 6 * H; // 18:00 UTC
    expect(
      oeeChecks(rules, shifts, 'UTC', first, evening).map((c) => [c.rule.id, c.window, c.from]),
    ).toEqual([
      ['shift', 'no-shift', undefined],
      ['shift', 'no-shift', undefined],
      ['shift', 'no-shift', undefined],
      ['roll', 'rolling', evening - 90 * MIN],
    ]);
    // 12:00 UTC is 07:00 in New York: one hour into the day shift there.
    const ny = oeeChecks(rules.slice(0, 1), shifts, 'America/New_York', first, NOW);
    expect(ny.map((c) => [c.window, c.from])).toEqual([
      ['day@2026-11-23', NOW - H],
      ['day@2026-11-23', NOW - H],
      ['day@2026-11-23', undefined],
    ]);
  });
});
