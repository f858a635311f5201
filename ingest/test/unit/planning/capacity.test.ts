import { plantModelSchema } from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import {
  calendarOf,
  changeoverOf,
  estimateCapacity,
  workingIntervals,
  type RunSample,
} from '../../../src/domain/planning';
import { H, MONDAY } from './fixtures';

const DAY = 24 * H;
const settings = { capacityWindowDays: 28, defaultOee: 0.6, minRunHours: 8 };
/** p1: ideal 30 s a piece (120/h); p2: 60 s, 20 s on m1. */
const products = [
  { id: 'p1', idealCycleMs: 30_000 },
  { id: 'p2', idealCycleMs: 60_000, machines: { m1: 20_000 } },
];

/** One day of m1 making p1: `runH` of 10 working hours, `rate` good pieces per run hour. */
const day = (n: number, runH: number, rate: number, more: Partial<RunSample> = {}): RunSample => ({
  machine: 'm1',
  product: 'p1',
  from: MONDAY - n * DAY,
  runMs: runH * H,
  workingMs: 10 * H,
  good: runH * rate,
  ...more,
});

describe('capacity from run history', () => {
  it('measures rate per run hour and availability, with the spread of the days', () => {
    const samples = [day(1, 8, 100), day(2, 6, 100), day(3, 9, 100), day(4, 7, 100)];
    const caps = estimateCapacity({ now: MONDAY, samples, machines: ['m1'], products, settings });
    const p1 = caps.find((c) => c.product === 'p1')!;
    expect(p1.source).toBe('measured');
    expect(p1.ratePerHour).toBeCloseTo(100);
    expect(p1.availability).toBeCloseTo(0.75);
    // Effective 60..90 pieces per working hour; ÷ 0.75 availability.
    expect(p1.rateP10).toBeCloseTo(80);
    expect(p1.rateP90).toBeCloseTo(120);
  });

  it("falls back to the ideal cycle: at the machine's own performance, else the default OEE", () => {
    const samples = [day(1, 8, 90), day(2, 8, 90)]; // p1 at 75 % of ideal, 80 % available
    const caps = estimateCapacity({
      now: MONDAY,
      samples,
      machines: ['m1', 'm2'],
      products,
      settings,
    });
    const get = (m: string, p: string) => caps.find((c) => c.machine === m && c.product === p)!;
    // m1 has no p2 history: its ideal (180/h on m1) at m1's measured 75 %, 80 % available.
    expect(get('m1', 'p2')).toMatchObject({ source: 'ideal', ratePerHour: 135, availability: 0.8 });
    // m2 has no history at all: ideal 60/h at OEE 0.6.
    expect(get('m2', 'p2')).toMatchObject({ source: 'ideal', ratePerHour: 36, availability: 1 });
    expect(get('m2', 'p2').rateP10).toBeLessThan(36);
    expect(get('m2', 'p2').rateP90).toBeGreaterThan(36);
  });

  it('reads only the trailing window and needs minRunHours of running', () => {
    const old = [day(40, 9, 50), day(41, 9, 50)];
    const few = [day(1, 3, 100)];
    const caps = estimateCapacity({
      now: MONDAY,
      samples: [...old, ...few],
      machines: ['m1'],
      products,
      settings,
    });
    expect(caps.find((c) => c.product === 'p1')).toMatchObject({
      source: 'ideal',
      ratePerHour: 72,
    });
  });
});

describe('the planning: key of the plant model', () => {
  const plant = (planning: unknown) => ({
    site: { id: 's', name: 'S', timeZone: 'Asia/Shanghai' },
    lines: [{ id: 'a', name: 'A', machines: [{ id: 'm1', name: 'M1' }] }],
    products: [{ id: 'p1', name: 'P1', idealCycleMs: 1000 }],
    shifts: [{ id: 'd', name: 'Day', start: '08:00', end: '17:00' }],
    holidays: ['2026-12-08'],
    planning,
  });

  it('has defaults, so a plant without it validates', () => {
    const parsed = plantModelSchema.parse({ ...plant(undefined), planning: undefined });
    expect(parsed.planning).toMatchObject({
      capacityWindowDays: 28,
      defaultOee: 0.6,
      closures: [],
      changeovers: { defaultMinutes: 0 },
    });
  });

  it('refuses unknown products and machines, and a closure that ends before it starts', () => {
    const result = plantModelSchema.safeParse(
      plant({
        closures: [{ from: '2026-12-10', to: '2026-12-09' }],
        changeovers: { products: { nope: 10 }, machines: { m9: 5 } },
      }),
    );
    expect(result.success).toBe(false);
    const issues = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining(['planning.closures.0.to: `to` is before `from`']),
    );
    const again = plantModelSchema.safeParse(
      plant({ changeovers: { products: { nope: 10 }, machines: { m9: 5 } } }),
    );
    expect(again.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'planning.changeovers.products.nope: unknown product "nope" (declare it under products)',
      'planning.changeovers.machines.m9: unknown machine "m9" (declare it under lines)',
    ]);
  });

  it('turns closures into days without shifts and changeovers into set-up times', () => {
    const parsed = plantModelSchema.parse(
      plant({
        closures: [{ from: '2026-12-10', to: '2026-12-11', reason: 'stocktake' }],
        changeovers: { defaultMinutes: 20, products: { p1: 45 }, machines: { m1: 30 } },
      }),
    );
    const calendar = calendarOf(parsed);
    // Monday 7th to Saturday 12th: shifts on the 7th, 9th and 12th only (holiday, closure).
    const windows = workingIntervals(calendar, MONDAY, MONDAY + 6 * DAY);
    expect(windows.map((w) => new Date(w.from).toISOString().slice(0, 10))).toEqual([
      '2026-12-07',
      '2026-12-09',
      '2026-12-12',
    ]);
    const changeover = changeoverOf(parsed.planning);
    expect(changeover('m1', 'p1', 'p1')).toBe(0);
    expect(changeover('m1', 'p2', 'p1')).toBe(45 * 60_000);
    expect(changeover('m1', null, 'p2')).toBe(30 * 60_000);
    expect(changeover('m2', 'p1', 'p2')).toBe(20 * 60_000);
  });
});
