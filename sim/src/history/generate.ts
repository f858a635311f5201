import type { PlantModel, Scenario } from '@takt/protocol';
import { shiftSpans } from './calendar';
import { walkMachine } from './machine-walk';
import { prng } from './prng';
import type { History, HistoryOrder } from './types';

export interface HistoryOptions {
  scenario: Scenario;
  plant: PlantModel;
  from: number;
  to: number;
  seed: number;
  /** Sensor readings are thinned to one per this (default a minute). */
  metricsEveryMs?: number;
  /** Unchanged states are re-sent this often (default 2 min, inside ingest's 3 min hold). */
  heartbeatMs?: number;
  /** Counters are sent this often while a machine makes pieces (default 5 min), and at every stop. */
  countEveryMs?: number;
  /** Order ids are `<orderPrefix><n>`, numbered from 1 in start order. */
  orderPrefix?: string;
}

const CUSTOMERS = [
  '恒立汽配 Hengli Auto Parts',
  '苏州精密 Suzhou Precision',
  '宁波机电 Ningbo Mechatronics',
];
const HOUR = 3_600_000;

/** Leaf ids of the plant's downtime tree under a node whose loss is `loss`. */
function reasonsOf(plant: PlantModel, loss: string): string[] {
  const out: string[] = [];
  for (const node of plant.reasons.downtime)
    if ('loss' in node && node.loss === loss)
      for (const child of ('children' in node ? node.children : undefined) ?? [])
        out.push(child.id);
  return out;
}

/**
 * A week (or any span) of the virtual factory as wire messages, deterministic for a seed:
 * the scenario's machines (cycle times, reject rates, temperatures) working the plant's
 * shifts with stops drawn from its reason tree, orders run through them, and the threshold
 * alert rules' machines running hot now and then (docs/decisions.md "Issue 19 — a week of
 * demo history").
 */
export function generateHistory(o: HistoryOptions): History {
  const spans = shiftSpans(o.plant.shifts, o.plant.site.timeZone, o.plant.holidays, o.from, o.to);
  const machines = o.plant.lines.flatMap((l) => l.machines);
  const breakdown = reasonsOf(o.plant, 'breakdown');
  const setup = reasonsOf(o.plant, 'setup');
  const rejectReasons = o.plant.reasons.reject.map((r) => r.id);
  let orderNo = 0;
  const pendingIds: string[] = [];
  const messages: History['messages'] = [];
  const orders: HistoryOrder[] = [];
  o.scenario.machines.forEach((machine, i) => {
    const planned = machines.find((m) => m.id === machine.id);
    if (!planned?.product) return; // not in the plant model: nothing would store it
    const rule = o.plant.alerts.rules.find(
      (r) =>
        r.kind === 'threshold' &&
        r.tag === 'temperature' &&
        r.above !== undefined &&
        r.machines.includes(machine.id),
    );
    const walked = walkMachine({
      machine,
      product: planned.product,
      spans,
      from: o.from,
      to: o.to,
      rng: prng(o.seed * 7919 + i + 1),
      changeoverReason: machine.id.startsWith('press')
        ? (setup[0] ?? 'die-change')
        : (setup[1] ?? setup[0] ?? '12'),
      breakdownReasons: breakdown.length > 0 ? breakdown : ['other'],
      rejectReasons: rejectReasons.length > 0 ? rejectReasons : ['scrap'],
      ...(rule?.kind === 'threshold'
        ? { overheat: { aboveC: rule.above!, clearMarginC: rule.clearMargin } }
        : {}),
      heartbeatMs: o.heartbeatMs ?? 120_000,
      countEveryMs: o.countEveryMs ?? 300_000,
      metricsEveryMs: o.metricsEveryMs ?? 60_000,
      nextOrderId: () => {
        const id = `tmp-${i}-${pendingIds.length}`;
        pendingIds.push(id);
        return id;
      },
      customers: CUSTOMERS,
      operator: String(10440 + i),
    });
    messages.push(...walked.messages);
    orders.push(...walked.orders);
  });
  // Orders numbered in start order across machines; due dates: about a third late.
  orders.sort((a, b) => a.startedAt - b.startedAt);
  const rng = prng(o.seed);
  const rename = new Map<string, string>();
  for (const order of orders) {
    const id = `${o.orderPrefix ?? 'WO-23'}${String(++orderNo).padStart(3, '0')}`;
    rename.set(order.input.id, id);
    order.input.id = id;
    const done = order.completedAt ?? o.to + rng.between(4, 24) * HOUR;
    const late = order.completedAt !== undefined && rng.next() < 0.3;
    const due = late ? done - rng.between(1, 10) * HOUR : done + rng.between(2, 36) * HOUR;
    order.input.dueAt = new Date(Math.round(due / 60_000) * 60_000).toISOString();
  }
  for (const m of messages)
    if (m.kind === 'scan' && m.scan.workOrder) {
      const id = rename.get(m.scan.workOrder)!;
      m.scan = { ...m.scan, workOrder: id, code: m.scan.code.replace(m.scan.workOrder, id) };
    }
  // Stable sort: one machine's messages keep their order at equal times.
  messages.sort((a, b) => a.ts - b.ts);
  return { messages, orders };
}
