import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadYamlConfig, plantModelSchema, scenarioSchema } from '@takt/protocol';
import { generateHistory, shiftSpans, type HistoryMessage } from '../../src/history';

const root = resolve(import.meta.dirname, '../../..');
const plant = loadYamlConfig(resolve(root, 'ingest/plant/demo-plant.yaml'), plantModelSchema);
const scenario = loadYamlConfig(resolve(root, 'sim/scenarios/demo.yaml'), scenarioSchema);
const DAY = 86_400_000;
// A fixed week (Monday 2026-11-30 08:00 Shanghai back seven days), not a holiday.
const to = Date.UTC(2026, 10, 30, 0, 0, 0);
const from = to - 7 * DAY;
const history = generateHistory({ plant, scenario, from, to, seed: 19 });
const of = <K extends HistoryMessage['kind']>(kind: K, machine?: string) =>
  history.messages.filter(
    (m): m is Extract<HistoryMessage, { kind: K }> =>
      m.kind === kind && (machine === undefined || m.machine === machine),
  );

describe('history generator', () => {
  it('is deterministic for a seed and differs for another', () => {
    const again = generateHistory({ plant, scenario, from, to, seed: 19 });
    expect(again).toEqual(history);
    const other = generateHistory({ plant, scenario, from, to, seed: 20 });
    expect(other.messages.length).not.toBe(history.messages.length);
  });

  it('puts the plant shifts in its time zone: early starts 06:00 Asia/Shanghai (22:00 UTC)', () => {
    const spans = shiftSpans(plant.shifts, plant.site.timeZone, plant.holidays, from, to);
    // Seven days of two shifts, the first and last cut by the span (it starts and ends 08:00).
    expect(spans).toHaveLength(15);
    // The early shift under way at the start: clipped to it; its break 10:00-10:30 local.
    expect(spans[0]!.work).toEqual([
      { from, to: Date.UTC(2026, 10, 23, 2) },
      { from: Date.UTC(2026, 10, 23, 2, 30), to: Date.UTC(2026, 10, 23, 6) },
    ]);
    expect(spans[1]).toMatchObject({ shift: 'late', from: Date.UTC(2026, 10, 23, 6) });
    expect(new Date(spans[2]!.from).toISOString()).toBe('2026-11-23T22:00:00.000Z');
  });

  it('sends wire-valid times in order, inside the span, whole milliseconds', () => {
    const bad = history.messages.filter(
      (m, i) =>
        !Number.isInteger(m.ts) ||
        m.ts < from ||
        m.ts > to ||
        (i > 0 && m.ts < history.messages[i - 1]!.ts),
    );
    expect(bad).toEqual([]);
  });

  it('re-sends each state within ingest’s 3-minute hold, so no stretch reads as no data', () => {
    for (const machine of scenario.machines) {
      const states = of('state', machine.id);
      expect(states[0]!.ts).toBe(from);
      for (let i = 1; i < states.length; i++)
        expect(states[i]!.ts - states[i - 1]!.ts).toBeLessThan(180_000);
      expect(to - states.at(-1)!.ts).toBeLessThan(180_000);
    }
  });

  it('stops with the plant’s reasons: breakdowns, changeovers, material, tool changes', () => {
    const reasons = new Set(of('state').flatMap((s) => (s.reason ? [s.reason] : [])));
    for (const r of ['10', '11', 'die-change', '12', '20', 'other']) expect(reasons).toContain(r);
    expect(of('state').some((s) => s.state === 'microstop')).toBe(true);
    expect(of('state').some((s) => s.state === 'reduced_speed')).toBe(true);
  });

  it('runs most of the shift time: availability in a realistic band', () => {
    const spans = shiftSpans(plant.shifts, plant.site.timeZone, plant.holidays, from, to);
    const work = spans.flatMap((s) => s.work);
    for (const machine of scenario.machines) {
      const states = of('state', machine.id);
      let runMs = 0;
      let plannedMs = 0;
      for (const w of work) plannedMs += w.to - w.from;
      states.forEach((s, i) => {
        const end = states[i + 1]?.ts ?? to;
        if (s.state !== 'running' && s.state !== 'reduced_speed') return;
        for (const w of work) runMs += Math.max(0, Math.min(end, w.to) - Math.max(s.ts, w.from));
      });
      expect(runMs / plannedMs).toBeGreaterThan(0.65);
      expect(runMs / plannedMs).toBeLessThan(0.95);
    }
  });

  it('counts up (absolute counters) with rejects at the scenario’s rates', () => {
    for (const machine of scenario.machines) {
      const counts = of('count', machine.id);
      for (let i = 1; i < counts.length; i++) {
        expect(counts[i]!.good).toBeGreaterThanOrEqual(counts[i - 1]!.good);
        expect(counts[i]!.reject).toBeGreaterThanOrEqual(counts[i - 1]!.reject);
      }
      const last = counts.at(-1)!;
      expect(last.good).toBeGreaterThan(10_000);
      if (machine.rejectRate > 0) expect(last.reject).toBeGreaterThan(0);
    }
  });

  it('thins the temperature to one reading a minute and runs CNC 01 hot, then cool again', () => {
    const readings = of('metrics', 'cnc-01').flatMap((m) => m.readings);
    expect(readings).toHaveLength(7 * 24 * 60);
    expect(readings[1]!.ts - readings[0]!.ts).toBe(60_000);
    const rule = plant.alerts.rules.find((r) => r.id === 'cnc-01-hot')!;
    if (rule.kind !== 'threshold') throw new Error('cnc-01-hot is a threshold rule');
    const values = readings.map((r) => r.value as number);
    const hot = values.findIndex((v) => v > rule.above!);
    expect(hot).toBeGreaterThan(-1);
    expect(values.slice(hot).some((v) => v < rule.above! - rule.clearMargin)).toBe(true);
  });

  it('runs orders: started, some late, one split across shifts, with rejects reported', () => {
    const { orders } = history;
    expect(orders.length).toBeGreaterThan(20);
    const done = orders.filter((o) => o.completedAt !== undefined);
    expect(done.length).toBeGreaterThan(15);
    const late = done.filter((o) => o.completedAt! > Date.parse(o.input.dueAt!));
    expect(late.length).toBeGreaterThan(0);
    expect(late.length).toBeLessThan(done.length);
    expect(orders.some((o) => o.splitAcrossShifts)).toBe(true);
    const scans = of('scan');
    for (const order of done) {
      const own = scans.filter((s) => s.scan.workOrder === order.input.id);
      expect(own[0]!.scan.action).toBe('start');
      expect(own.at(-1)!.scan.action).toBe('complete');
    }
    const rejects = scans.filter((s) => s.scan.action === 'reject');
    expect(new Set(rejects.map((s) => s.scan.reason))).toEqual(new Set(['burr', 'dimension']));
  });
});
