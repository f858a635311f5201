import type { MachineState, Reading, ScenarioMachine } from '@takt/protocol';
import type { ShiftSpan } from './calendar';
import type { Prng } from './prng';
import type { HistoryMessage, HistoryOrder } from './types';

const MIN = 60_000;
const SPEED: Partial<Record<MachineState, number>> = { running: 1, reduced_speed: 0.5 };

/** What one machine's week is made of (generate.ts fills it from the plant and scenario). */
export interface WalkOptions {
  machine: ScenarioMachine;
  product: string;
  spans: readonly ShiftSpan[];
  from: number;
  to: number;
  rng: Prng;
  /** Stop reason of a changeover between orders (a setup loss in the plant's reason tree). */
  changeoverReason: string;
  /** Breakdown reasons (PLC codes of the plant's tree). */
  breakdownReasons: readonly string[];
  rejectReasons: readonly string[];
  /** A threshold on temperature this machine must cross now and then (its alert rule). */
  overheat?: { aboveC: number; clearMarginC: number };
  heartbeatMs: number;
  countEveryMs: number;
  metricsEveryMs: number;
  nextOrderId: () => string;
  customers: readonly string[];
  operator: string;
}

interface Segment {
  state: MachineState;
  reason?: string;
  to: number;
}

/**
 * One machine's history: stops, counts, temperature and the scans of its operator (orders
 * started, paused at shift end, completed; rejects with reasons), all in the machine's time
 * order. Pure: the PRNG is the only source of chance.
 */
export function walkMachine(o: WalkOptions): {
  messages: HistoryMessage[];
  orders: HistoryOrder[];
} {
  const id = o.machine.id;
  const out: HistoryMessage[] = [];
  const orders: HistoryOrder[] = [];
  const readings: Reading[] = [];
  const ratePerHour = (3_600_000 / o.machine.cycleTimeMs) * 0.75;
  let good = 0;
  let reject = 0;
  let sent = { good: -1, reject: -1 };
  let nextMetricAt = o.from;
  let active:
    { order: HistoryOrder; made: number; paused: boolean; shiftsSeen: Set<number> } | undefined;
  let pendingChangeover = false;
  const scan = (ts: number, scanBody: Extract<HistoryMessage, { kind: 'scan' }>['scan']) =>
    out.push({ kind: 'scan', machine: id, ts, scan: scanBody });
  const op = 'OP10';
  const overheatUntil: number[] = [];

  const count = (ts: number) => {
    const g = Math.floor(good) - Math.floor(reject);
    const r = Math.floor(reject);
    if (g === sent.good && r === sent.reject) return;
    sent = { good: g, reject: r };
    out.push({ kind: 'count', machine: id, ts, good: g, reject: r });
  };
  const temperature = (ts: number, producing: boolean) => {
    const t = o.machine.temperature;
    let base = t.baseC;
    if (o.overheat) base = Math.min(base, o.overheat.aboveC - o.overheat.clearMarginC - 3);
    let c =
      base +
      (producing ? 1 : 0) +
      t.swingC * 0.3 * Math.sin((2 * Math.PI * ts) / (8 * 60 * MIN)) +
      o.rng.between(-0.3, 0.3);
    if (o.overheat && overheatUntil.some((end) => ts < end && ts >= end - 40 * MIN))
      c = o.overheat.aboveC + o.rng.between(1, 3);
    return Math.round(c * 10) / 10;
  };
  const metrics = (upTo: number, producing: boolean) => {
    for (; nextMetricAt < upTo; nextMetricAt += o.metricsEveryMs) {
      readings.push({
        tag: 'temperature',
        value: temperature(nextMetricAt, producing),
        ts: nextMetricAt,
        quality: 'good',
        unit: 'degC',
      });
      if (readings.length === 60) flushMetrics();
    }
  };
  const flushMetrics = () => {
    if (readings.length === 0) return;
    out.push({ kind: 'metrics', machine: id, ts: readings[0]!.ts, readings: readings.splice(0) });
  };

  /** Runs a segment from `from`; returns where it really ended (an order may end it early). */
  const run = (from: number, seg: Segment): number => {
    out.push({
      kind: 'state',
      machine: id,
      ts: from,
      state: seg.state,
      ...(seg.reason ? { reason: seg.reason } : {}),
    });
    const speed = SPEED[seg.state] ?? 0;
    const rejectRate = o.machine.rejectRate * o.rng.between(0.4, 1.6);
    let t = from;
    let lastBeat = from;
    let lastCount = from;
    const step = Math.min(o.countEveryMs, o.heartbeatMs);
    while (t < seg.to) {
      const next = Math.min(seg.to, t + step);
      metrics(next, speed > 0);
      if (speed > 0) {
        const pieces = ((next - t) * speed) / o.machine.cycleTimeMs;
        good += pieces;
        reject += pieces * rejectRate;
        if (next - lastCount >= o.countEveryMs || next === seg.to) {
          count(next);
          lastCount = next;
        }
        if (active && !active.paused) {
          active.made += pieces * (1 - rejectRate);
          if (active.made >= active.order.input.quantity) {
            count(next);
            completeOrder(next);
            return next;
          }
        }
      }
      t = next;
      if (t < seg.to && t - lastBeat >= o.heartbeatMs) {
        // The edge re-sends an unchanged state every heartbeat (docs/production-model.md).
        out.push({
          kind: 'state',
          machine: id,
          ts: t,
          state: seg.state,
          ...(seg.reason ? { reason: seg.reason } : {}),
        });
        lastBeat = t;
      }
    }
    return seg.to;
  };
  const completeOrder = (ts: number) => {
    const a = active!;
    scan(ts, {
      code: 'ACT:COMPLETE',
      workOrder: a.order.input.id,
      operation: op,
      action: 'complete',
    });
    a.order.completedAt = ts;
    a.order.splitAcrossShifts = a.shiftsSeen.size > 1;
    active = undefined;
    pendingChangeover = true;
  };
  const startOrder = (ts: number, shiftIndex: number) => {
    if (!active) {
      const hours = o.rng.between(3, 12);
      const quantity = Math.max(50, Math.round((ratePerHour * hours) / 50) * 50);
      const order: HistoryOrder = {
        input: {
          id: o.nextOrderId(),
          customer: o.customers[Math.floor(o.rng.next() * o.customers.length)]!,
          product: o.product,
          quantity,
          priority: 0,
          operations: [{ id: op, machine: id }],
        },
        startedAt: ts,
        splitAcrossShifts: false,
      };
      orders.push(order);
      active = { order, made: 0, paused: true, shiftsSeen: new Set() };
    }
    if (active.paused) {
      scan(ts, {
        code: `${active.order.input.id}|${op}`,
        workOrder: active.order.input.id,
        operation: op,
        action: 'start',
      });
      active.paused = false;
    }
    active.shiftsSeen.add(shiftIndex);
  };
  const stop = (t: number, end: number): Segment => {
    const kind = o.rng.pick([
      ['microstop', 45],
      ['reduced', 15],
      ['material', 10],
      ['breakdown', 12],
      ['tool', 8],
      ['other', 5],
    ] as const);
    const len = (minS: number, maxS: number) =>
      Math.min(end, t + Math.round(o.rng.between(minS, maxS) * 1000));
    switch (kind) {
      case 'microstop':
        return { state: 'microstop', to: len(5, 60) };
      case 'reduced':
        return { state: 'reduced_speed', to: len(240, 900) };
      case 'material':
        return { state: 'idle', reason: '20', to: len(180, 720) };
      case 'breakdown': {
        const reason = o.breakdownReasons[Math.floor(o.rng.next() * o.breakdownReasons.length)]!;
        return { state: 'down', reason, to: len(480, 2400) };
      }
      case 'tool':
        return { state: 'idle', reason: '12', to: len(300, 720) };
      default:
        return { state: 'down', reason: 'other', to: len(120, 480) };
    }
  };

  // Overheating now and then on a machine with a temperature alert: ~one a day.
  if (o.overheat)
    for (const span of o.spans)
      if (o.rng.next() < 0.5)
        overheatUntil.push(Math.round(o.rng.between(span.from + 40 * MIN, span.to)));

  let t = o.from;
  o.spans.forEach((span, shiftIndex) => {
    for (const [w, window] of span.work.entries()) {
      if (window.from > t) t = run(t, { state: 'idle', to: window.from }); // off shift or a break
      if (w === 0)
        scan(window.from, { code: `E${o.operator}`, operator: o.operator, action: 'login' });
      while (t < window.to) {
        if (pendingChangeover) {
          t = run(t, {
            state: 'idle',
            reason: o.changeoverReason,
            to: Math.min(window.to, t + Math.round(o.rng.between(10, 25) * MIN)),
          });
          pendingChangeover = t < window.to ? false : pendingChangeover;
          continue;
        }
        startOrder(t, shiftIndex);
        const end = Math.min(window.to, t + Math.round(o.rng.exponential(25 * MIN)));
        t = run(t, { state: 'running', to: end });
        if (t < end) continue; // the order was done: a changeover follows
        if (active && o.rng.next() < 0.3) {
          const quantity = Math.ceil(o.rng.between(1, 8));
          const reason = o.rejectReasons[Math.floor(o.rng.next() * o.rejectReasons.length)]!;
          scan(t, {
            code: `REJ:${quantity}:${reason}`,
            quantity,
            reason,
            workOrder: active.order.input.id,
            operation: op,
            action: 'reject',
          });
        }
        if (t < window.to) t = run(t, stop(t, window.to));
      }
      if (w === span.work.length - 1) {
        if (active && !active.paused) {
          scan(window.to - 1000, {
            code: 'ACT:PAUSE',
            workOrder: active.order.input.id,
            operation: op,
            action: 'pause',
          });
          active.paused = true;
        }
        scan(window.to - 500, { code: `E${o.operator}`, operator: o.operator, action: 'logout' });
      }
    }
  });
  if (t < o.to) run(t, { state: 'idle', to: o.to });
  metrics(o.to, false);
  flushMetrics();
  count(o.to);
  return { messages: out, orders };
}
