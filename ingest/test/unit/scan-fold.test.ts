import { describe, expect, it } from 'vitest';
import type { StateInterval } from '../../src/domain/machine-time';
import { stopForReasonCard } from '../../src/domain/reason-scans';
import {
  foldScans,
  replayApplied,
  type FoldContext,
  type StationScan,
} from '../../src/domain/scan-fold';
import type { Operation, WorkOrder } from '../../src/domain/work-orders';

const MIN = 60_000;
const op = (id: string, machine: string): Operation => ({
  id,
  machine,
  status: 'pending',
  good: 0,
  rejected: 0,
  startedAt: null,
  completedAt: null,
});
const orders = () =>
  new Map<string, WorkOrder>([
    ['WO-1', { id: 'WO-1', quantity: 10, dueAt: null, operations: [op('OP10', 'press')] }],
    ['WO-2', { id: 'WO-2', quantity: 10, dueAt: null, operations: [op('OP10', 'press')] }],
  ]);
const ctx: FoldContext = {
  counting: new Set(['press']),
  orderDriven: new Set(['press']),
  rejectReasons: () => ['burr'],
};
const scan = (minute: number, code: string, action: string, more: Partial<StationScan> = {}) => ({
  ts: minute * MIN,
  station: 'press',
  code,
  action,
  workOrder: null,
  operation: null,
  operator: null,
  reason: null,
  quantity: 1,
  ...more,
});

describe('scans folded at their edge time', () => {
  // 08:00 Ann badges in, 08:01 WO-1 starts, 08:05 WO-2 starts (WO-1 paused), 08:06 REJ 2,
  // 08:10 Ann leaves, Bob badges in at 08:11, 08:12 ACT:COMPLETE completes WO-2 (running).
  const timeline: StationScan[] = [
    scan(480, 'E1', 'login', { operator: 'ann' }),
    scan(481, 'WO-1', 'start', { workOrder: 'WO-1', operation: 'OP10' }),
    scan(485, 'WO-2', 'start', { workOrder: 'WO-2', operation: 'OP10' }),
    scan(486, 'REJ:2:burr', 'reject', { quantity: 2, reason: 'burr' }),
    scan(490, 'ACT:LOGOUT', 'logout'),
    scan(491, 'E2', 'login', { operator: 'bob' }),
    scan(492, 'ACT:COMPLETE', 'complete'),
  ];

  it('applies each scan with the operator badged in at its time and the order running then', () => {
    const out = foldScans({ orders: orders(), operators: new Map() }, timeline, ctx);
    expect(out.orders.get('WO-1')!.operations[0]).toMatchObject({
      status: 'paused',
      startedAt: 481 * MIN,
    });
    expect(out.orders.get('WO-2')!.operations[0]).toMatchObject({
      status: 'done',
      completedAt: 492 * MIN,
      good: -2, // a reject report on a counting machine moves pieces off the counter's good
      rejected: 2,
    });
    expect(
      out.events.map((e) => [
        e.ts / MIN,
        e.order,
        e.kind,
        e.detail.action ?? null,
        e.detail.operator ?? null,
      ]),
    ).toEqual([
      [481, 'WO-1', 'scan', 'start', 'ann'],
      [485, 'WO-1', 'scan', 'pause', null],
      [485, 'WO-2', 'scan', 'start', 'ann'],
      [486, 'WO-2', 'count', null, 'ann'],
      [492, 'WO-2', 'scan', 'complete', 'bob'],
    ]);
    // The machine is driven by orders: after the complete nothing runs there.
    expect(out.modes.map((m) => [m.ts / MIN, m.mode])).toEqual([
      [481, 'production'],
      [485, 'production'],
      [492, 'no_order'],
    ]);
  });

  it('a refusal is a result: a complete refused alone applies once the late start is folded before it', () => {
    const complete = scan(500, 'WO-1', 'complete', { workOrder: 'WO-1', operation: 'OP10' });
    const alone = foldScans({ orders: orders(), operators: new Map() }, [complete], ctx);
    expect(alone.events).toEqual([
      expect.objectContaining({
        kind: 'refused',
        detail: expect.objectContaining({
          reason: 'operation OP10 of order WO-1 is pending: cannot complete',
        }),
      }),
    ]);
    const start = scan(490, 'WO-1', 'start', { workOrder: 'WO-1', operation: 'OP10' });
    const refolded = foldScans({ orders: orders(), operators: new Map() }, [start, complete], ctx);
    expect(refolded.events.map((e) => e.kind)).toEqual(['scan', 'scan']);
    expect(refolded.orders.get('WO-1')!.operations[0]!.status).toBe('done');
  });

  it('a re-fold starts from the applied scans before it, implicit pauses included', () => {
    const before = replayApplied(orders().get('WO-1')!, [
      { operation: 'OP10', action: 'start', ts: 481 * MIN },
      { operation: 'OP10', action: 'pause', ts: 485 * MIN },
    ]);
    expect(before.operations[0]).toMatchObject({ status: 'paused', startedAt: 481 * MIN });
  });

  it('refuses a hand good report on a counting machine and an unknown reject reason', () => {
    const out = foldScans(
      { orders: orders(), operators: new Map() },
      [
        scan(481, 'WO-1', 'start', { workOrder: 'WO-1', operation: 'OP10' }),
        scan(482, 'QTY:5', 'good', { quantity: 5 }),
        scan(483, 'REJ:1:dent', 'reject', { reason: 'dent' }),
        scan(484, 'ACT:PAUSE', 'pause', { station: 'bench' }),
      ],
      ctx,
    );
    expect(out.events.filter((e) => e.kind === 'refused').map((e) => e.detail.reason)).toEqual([
      'press counts its pieces itself: report rejects only',
      'unknown reject reason "dent"',
    ]);
    expect(out.unplaced.map((s) => s.code)).toEqual(['ACT:PAUSE']);
  });

  // A hand-reporting bench (no counter) with one operation, and one on the press.
  const benchOrders = () =>
    new Map<string, WorkOrder>([
      [
        'WO-3',
        {
          id: 'WO-3',
          quantity: 10,
          dueAt: null,
          operations: [op('OP10', 'bench'), op('OP20', 'press')],
        },
      ],
    ]);
  const at = (minute: number, code: string, action: string, more: Partial<StationScan> = {}) =>
    scan(minute, code, action, { station: 'bench', ...more });
  const refusals = (out: ReturnType<typeof foldScans>) =>
    out.events.filter((e) => e.kind === 'refused').map((e) => [e.detail.code, e.detail.refusal]);

  it('gives each refusal a stable code and changes nothing with it', () => {
    const start = { orders: benchOrders(), operators: new Map<string, string>() };
    const out = foldScans(
      start,
      [
        at(480, 'ACT:COMPLETE', 'complete', { workOrder: 'WO-3', operation: 'OP10' }),
        at(481, 'QTY:2', 'good', { workOrder: 'WO-3', operation: 'OP10', quantity: 2 }),
        at(482, 'WO-3|OP20', 'start', { workOrder: 'WO-3', operation: 'OP20' }),
        at(483, 'WO-9|OP10', 'start', { workOrder: 'WO-9', operation: 'OP10' }),
        at(484, 'WO-3|OP99', 'start', { workOrder: 'WO-3', operation: 'OP99' }),
        at(485, 'WO-3|OP10', 'start', { workOrder: 'WO-3', operation: 'OP10' }),
        at(486, 'QTY:5', 'good', { quantity: 5 }),
        at(487, 'REJ:6:burr', 'reject', { quantity: 6, reason: 'burr' }),
        at(488, 'REJ:1', 'reject', { quantity: 1 }),
        at(489, 'REJ:1:burr', 'reject', { quantity: 1, reason: 'burr' }),
        at(490, 'ACT:COMPLETE', 'complete'),
        at(491, 'ACT:COMPLETE', 'complete', { workOrder: 'WO-3', operation: 'OP10' }),
      ],
      ctx,
    );
    expect(refusals(out)).toEqual([
      ['ACT:COMPLETE', 'not-started'],
      ['QTY:2', 'not-started'],
      ['WO-3|OP20', 'other-station'],
      ['WO-9|OP10', 'unknown-order'],
      ['WO-3|OP99', 'unknown-operation'],
      ['REJ:6:burr', 'reject-exceeds-made'],
      ['REJ:1', 'reject-needs-reason'],
      ['ACT:COMPLETE', 'already-done'],
    ]);
    // What was refused changed nothing: 5 good, 1 rejected, the press's operation untouched.
    const [bench, press] = out.orders.get('WO-3')!.operations;
    expect(bench).toMatchObject({ status: 'done', good: 5, rejected: 1 });
    expect(press).toMatchObject({ status: 'pending', good: 0, rejected: 0 });
    expect(start.orders.get('WO-3')!.operations[0]!.status).toBe('pending');
    // The English text stays beside the code.
    expect(out.events.find((e) => e.detail.refusal === 'other-station')!.detail.reason).toBe(
      'operation OP20 of order WO-3 runs at press, not at bench',
    );
  });

  it('the same codes in their right order apply: start, 5 good, complete', () => {
    const scans = [
      at(485, 'WO-3|OP10', 'start', { workOrder: 'WO-3', operation: 'OP10' }),
      at(486, 'QTY:5', 'good', { quantity: 5 }),
      at(487, 'ACT:COMPLETE', 'complete'),
    ];
    const inOrder = foldScans({ orders: benchOrders(), operators: new Map() }, scans, ctx);
    expect(refusals(inOrder)).toEqual([]);
    expect(inOrder.orders.get('WO-3')!.operations[0]).toMatchObject({ status: 'done', good: 5 });
  });
});

describe('the stop a reason card explains', () => {
  const H = 60 * MIN;
  const at = (hhmm: string) => Number(hhmm.slice(0, 2)) * H + Number(hhmm.slice(3)) * MIN;
  const i = (
    from: string,
    to: string,
    state: StateInterval['state'],
    reason: string | null = null,
  ) => ({
    from: at(from),
    to: at(to),
    state,
    reason,
  });
  // 22:00-23:10 running, 23:10-23:15 down, 23:15-23:50 running, 23:50-00:00 down (next day
  // written as 24:00), states over the card's window [ts − 24 h, ts + 1).
  const day: StateInterval[] = [
    i('22:00', '23:10', 'running'),
    i('23:10', '23:15', 'down'),
    i('23:15', '23:50', 'running'),
    i('23:50', '24:00', 'down'),
  ];
  const W = 24 * H;

  it('a card stamped 23:12 explains the 23:10 stop open then, not the latest one', () => {
    const window = day
      .filter((s) => s.from <= at('23:12'))
      .map((s) => ({ ...s, to: Math.min(s.to, at('23:12') + 1) }));
    expect(stopForReasonCard(window, at('23:12'), W)).toEqual({
      stop: { from: at('23:10'), to: at('23:12') + 1, state: 'down', reason: null },
    });
  });

  it('a card stamped 23:30 explains the latest stop that ended before it', () => {
    const window = day
      .filter((s) => s.from <= at('23:30'))
      .map((s) => ({ ...s, to: Math.min(s.to, at('23:30') + 1) }));
    expect(stopForReasonCard(window, at('23:30'), W)).toMatchObject({
      stop: { from: at('23:10') },
    });
  });

  it('refuses a stop cut by the window, one already explained, and no stop at all', () => {
    expect(
      stopForReasonCard([i('22:00', '23:13', 'down')], at('23:12'), at('23:12') - at('22:00')),
    ).toEqual({
      refused: 'no stop in the reason window before the card was scanned',
    });
    expect(stopForReasonCard([i('23:10', '23:13', 'down', 'jam')], at('23:12'), W)).toEqual({
      refused: 'that stop already has the reason "jam"',
    });
    expect(stopForReasonCard([i('23:10', '23:13', 'running')], at('23:12'), W)).toHaveProperty(
      'refused',
    );
  });
});
