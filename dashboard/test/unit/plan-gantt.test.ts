import type { PlanLoad, PlanView, PromiseAnswer } from '@takt/protocol/api';
import { describe, expect, it } from 'vitest';
import { ganttOption, loadOption, overloadedDays, TONE_COLORS } from '../../src/lib/plan-chart';
import { initialWindow, orderTone, planEnd, planGantt, planRange } from '../../src/lib/plan-gantt';
import { routeFor } from '../../src/lib/route';

const H = 3_600_000;
const T0 = Date.parse('2026-12-07T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const health = (score: number) => ({ score, parts: { schedule: 1, flow: 1, quality: 1 } });

function op(
  order: string,
  operation: string,
  machine: string,
  fromH: number,
  toH: number,
  running = false,
) {
  return {
    order,
    operation,
    machine,
    product: 'p1',
    remaining: 10,
    plannedStart: iso(T0 + fromH * H),
    plannedFinish: iso(T0 + toH * H),
    p10Finish: iso(T0 + (toH - 0.5) * H),
    p90Finish: iso(T0 + (toH + 1) * H),
    changeoverMs: 0,
    running,
  };
}

function order(id: string, dueH: number | null, lateRisk: boolean, score = 100) {
  return {
    order: id,
    product: 'p1',
    quantity: 10,
    priority: 0,
    dueAt: dueH === null ? null : iso(T0 + dueH * H),
    promisedAt: iso(T0),
    p10: iso(T0),
    p90: iso(T0),
    lateRisk,
    health: health(score),
  };
}

const PLAN: PlanView = {
  computedAt: iso(T0),
  timeZone: 'Asia/Shanghai',
  machines: [
    { id: 'press-01', name: 'Press 01', line: 'line-a' },
    { id: 'cnc-01', name: 'CNC 01', line: 'line-b' },
    { id: 'assembly-01', name: 'Assembly 01', line: 'line-b' },
  ],
  operations: [
    op('WO-1', 'OP10', 'press-01', 0, 4, true),
    op('WO-1', 'OP20', 'assembly-01', 4, 6),
    op('WO-2', 'OP10', 'cnc-01', 1, 5),
    op('WO-3', 'OP10', 'press-01', 4, 9),
    op('WO-4', 'OP10', 'lathe-09', 2, 3),
  ],
  orders: [
    order('WO-1', 8, false),
    order('WO-2', 3, true, 20),
    order('WO-3', null, false, 55),
    order('WO-4', 30, false),
  ],
  unplannable: [],
};

const ANSWER: Pick<PromiseAnswer, 'operations' | 'delays' | 'p10' | 'p90' | 'promisedAt'> = {
  promisedAt: iso(T0 + 12 * H),
  p10: iso(T0 + 11 * H),
  p90: iso(T0 + 14 * H),
  operations: [
    {
      operation: 'OP10',
      machine: 'press-01',
      plannedStart: iso(T0 + 4 * H),
      plannedFinish: iso(T0 + 8 * H),
    },
    {
      operation: 'OP20',
      machine: 'assembly-01',
      plannedStart: iso(T0 + 8 * H),
      plannedFinish: iso(T0 + 12 * H),
    },
  ],
  delays: [{ order: 'WO-3', byMs: 4 * H }],
};

describe('orderTone', () => {
  it('is red when the promise is after the due date, amber on a low health score, else green', () => {
    expect(orderTone({ lateRisk: true, health: health(90) })).toBe('late');
    expect(orderTone({ lateRisk: false, health: health(69) })).toBe('at-risk');
    expect(orderTone({ lateRisk: false, health: health(70) })).toBe('on-track');
  });
});

describe('planGantt', () => {
  it('puts one bar per planned operation on its machine row, coloured by its order', () => {
    const g = planGantt(PLAN, null, null);
    expect(g.rows.map((r) => r.machine)).toEqual(['press-01', 'cnc-01', 'assembly-01', 'lathe-09']);
    expect(g.bars.map((b) => [b.order, b.operation, b.row, b.tone])).toEqual([
      ['WO-1', 'OP10', 0, 'on-track'],
      ['WO-1', 'OP20', 2, 'on-track'],
      ['WO-2', 'OP10', 1, 'late'],
      ['WO-3', 'OP10', 0, 'at-risk'],
      ['WO-4', 'OP10', 3, 'on-track'],
    ]);
    expect(g.bars[0]).toMatchObject({
      running: true,
      fromMs: T0,
      toMs: T0 + 4 * H,
      p90Ms: T0 + 5 * H,
    });
    expect(g.ghosts).toEqual([]);
    expect(g.band).toBeNull();
  });

  it('marks each dated order due on the row of its last operation', () => {
    const g = planGantt(PLAN, null, null);
    expect(g.dues).toEqual([
      { row: 2, order: 'WO-1', atMs: T0 + 8 * H, tone: 'on-track' },
      { row: 1, order: 'WO-2', atMs: T0 + 3 * H, tone: 'late' },
      { row: 3, order: 'WO-4', atMs: T0 + 30 * H, tone: 'on-track' },
    ]);
  });

  it("keeps only a line's machines when one is chosen", () => {
    const g = planGantt(PLAN, 'line-b', null);
    expect(g.rows.map((r) => r.machine)).toEqual(['cnc-01', 'assembly-01']);
    expect(g.bars.map((b) => `${b.order}/${b.operation}`)).toEqual(['WO-1/OP20', 'WO-2/OP10']);
  });

  it("draws the calculator's answer as ghosts with its band, and flags the orders it delays", () => {
    const g = planGantt(PLAN, null, ANSWER);
    expect(g.ghosts).toEqual([
      { row: 0, operation: 'OP10', machine: 'press-01', fromMs: T0 + 4 * H, toMs: T0 + 8 * H },
      { row: 2, operation: 'OP20', machine: 'assembly-01', fromMs: T0 + 8 * H, toMs: T0 + 12 * H },
    ]);
    expect(g.band).toEqual({
      row: 2,
      fromMs: T0 + 11 * H,
      toMs: T0 + 14 * H,
      promisedMs: T0 + 12 * H,
    });
    expect(
      g.bars.filter((b) => b.delayedByMs !== null).map((b) => [b.order, b.delayedByMs]),
    ).toEqual([['WO-3', 4 * H]]);
  });
});

describe('planRange and initialWindow', () => {
  it('spans every bar, band and due date, and opens on the days after now', () => {
    const g = planGantt(PLAN, null, ANSWER);
    const range = planRange(g, T0 + H);
    expect(range.minMs).toBeLessThanOrEqual(T0);
    expect(range.maxMs).toBeGreaterThanOrEqual(T0 + 30 * H);
    const shown = initialWindow(range, T0 + H, 12 * H);
    expect(shown.startMs).toBe(T0 + H - 0.5 * H);
    expect(shown.endMs).toBe(shown.startMs + 12 * H);
    expect(initialWindow(range, T0 + H, 1000 * H).endMs).toBe(range.maxMs);
    // Fitted to the planned work when given its end: at least 6 h, at most the span.
    expect(planEnd(g)).toBe(T0 + 14 * H);
    const fitted = initialWindow(range, T0 + H, 72 * H, planEnd(g));
    expect(fitted.endMs).toBeCloseTo(fitted.startMs + (T0 + 14 * H - fitted.startMs) * 1.1);
    const short = initialWindow(range, T0 + H, 72 * H, T0 + 2 * H);
    expect(short.endMs - short.startMs).toBe(6 * H);
    const long = initialWindow(range, T0 + H, 8 * H, T0 + 30 * H);
    expect(long.endMs - long.startMs).toBe(8 * H);
  });
});

describe('ganttOption', () => {
  it('lists the machine rows, zooms on the page and fixes the window on a board', () => {
    const gantt = planGantt(PLAN, null, ANSWER);
    const labels = {
      now: 'now',
      promised: 'promise',
      newOrder: 'new',
      due: (o: string) => `due ${o}`,
      bar: () => '',
      ghost: () => '',
    };
    const base = {
      gantt,
      nowMs: T0,
      timeZone: 'UTC',
      range: { minMs: T0, maxMs: T0 + 40 * H },
      labels,
    };
    const page = ganttOption({
      ...base,
      window: { startMs: T0, endMs: T0 + 10 * H },
      zoom: true,
    }) as {
      yAxis: { data: string[] };
      dataZoom: { startValue: number; endValue: number }[];
      xAxis: { min: number; max: number };
      series: { data?: unknown[] }[];
    };
    expect(page.yAxis.data).toEqual(['Press 01', 'CNC 01', 'Assembly 01', 'lathe-09']);
    expect(page.dataZoom.map((z) => [z.startValue, z.endValue])).toEqual([
      [T0, T0 + 10 * H],
      [T0, T0 + 10 * H],
    ]);
    expect([page.xAxis.min, page.xAxis.max]).toEqual([T0, T0 + 40 * H]);
    expect(page.series[0]!.data).toHaveLength(5);
    expect(page.series[1]!.data).toHaveLength(2);
    const board = ganttOption({
      ...base,
      window: { startMs: T0, endMs: T0 + 10 * H },
      zoom: false,
    }) as {
      dataZoom: unknown[];
      xAxis: { min: number; max: number };
    };
    expect(board.dataZoom).toEqual([]);
    expect([board.xAxis.min, board.xAxis.max]).toEqual([T0, T0 + 10 * H]);
  });
});

describe('line load', () => {
  const day = (date: string, bookedH: number, availableH: number) => ({
    date,
    bookedH,
    availableH,
    overloaded: bookedH > availableH,
  });
  const LOAD: PlanLoad = {
    from: '2026-12-07',
    days: ['2026-12-07', '2026-12-08'],
    machines: [],
    lines: [
      { id: 'line-a', days: [day('2026-12-07', 20, 16), day('2026-12-08', 4, 16)] },
      { id: 'line-b', days: [day('2026-12-07', 8, 16), day('2026-12-08', 0, 0)] },
    ],
  };

  it('lists the overloaded days of each line', () => {
    expect(overloadedDays(LOAD, null)).toEqual([
      { line: 'line-a', days: ['2026-12-07'] },
      { line: 'line-b', days: [] },
    ]);
    expect(overloadedDays(LOAD, 'line-b')).toEqual([{ line: 'line-b', days: [] }]);
  });

  it('draws one grid per line, booked hours red on an overloaded day', () => {
    const option = loadOption(
      LOAD,
      [
        { id: 'line-a', name: 'Line A' },
        { id: 'line-b', name: 'Line B' },
      ],
      { booked: 'booked', available: 'available', hours: 'h' },
    ) as {
      grid: unknown[];
      xAxis: { data: string[] }[];
      series: {
        name: string;
        data: (number | { value: number; itemStyle: { color: string } })[];
      }[];
    };
    expect(option.grid).toHaveLength(2);
    expect(option.xAxis[0]!.data).toEqual(['12-07', '12-08']);
    expect(option.series.map((s) => s.name)).toEqual([
      'available',
      'booked',
      'available',
      'booked',
    ]);
    expect(option.series[0]!.data).toEqual([16, 16]);
    expect(option.series[1]!.data).toEqual([
      { value: 20, itemStyle: { color: TONE_COLORS.late } },
      { value: 4, itemStyle: { color: expect.not.stringMatching(TONE_COLORS.late) } },
    ]);
  });
});

describe('routes', () => {
  it('reads the Planning page and the planning board', () => {
    expect(routeFor('/planning', '?lang=zh-CN')).toEqual({ kind: 'planning' });
    expect(routeFor('/board', '?show=orders,planning')).toEqual({
      kind: 'boards',
      boards: [{ board: 'orders' }, { board: 'planning' }],
      everyS: 30,
    });
  });
});
