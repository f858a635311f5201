import type { Reading } from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import { foldMetrics } from '../../src/pipeline/fold-metrics';
import type { Msg } from '../../src/pipeline/write-series';

/*
 * A batch's metrics read once (docs/decisions.md "Issue 22 — less work per reading"): the
 * COPY rows, the partition days, each series' newest value and its minute rollups.
 */
const T0 = Date.UTC(2026, 10, 20, 9, 59, 0);
const reading = (
  s: number,
  value: Reading['value'],
  quality: Reading['quality'] = 'good',
  tag = 'a',
) => ({ tag, value, ts: T0 + s * 1000, quality }) as Reading;
const message = (readings: Reading[], machine = 'm1'): Msg<'metrics'> => ({
  kind: 'metrics',
  site: 's',
  gatewayId: 'gw',
  machineId: machine,
  payload: { v: 1, seq: 1, ts: T0, readings },
});
const fold = (readings: Reading[]) => foldMetrics(readings.map((r) => message([r])));
const minutes = (f: ReturnType<typeof foldMetrics>) => f.series.flatMap((s) => s.minutes);

describe('the minute rollups of a batch', () => {
  it('folds good numeric readings per machine, tag and UTC minute, in any order', () => {
    const f = fold([
      reading(61, 5), // the next minute, first in the batch
      reading(30, 2),
      reading(0, 7),
      reading(59.999, -1),
      reading(20, 99, 'bad'), // bad quality: not in the rollups
      reading(10, 'text'), // text: not either
      reading(5, 3, 'good', 'b'),
    ]);
    expect(minutes(f)).toEqual([
      {
        bucketMs: T0 + 60_000,
        machine: 'm1',
        tag: 'a',
        min: 5,
        max: 5,
        sum: 5,
        count: 1,
        last: 5,
        lastMs: T0 + 61_000,
      },
      {
        bucketMs: T0,
        machine: 'm1',
        tag: 'a',
        min: -1,
        max: 7,
        sum: 8,
        count: 3,
        last: -1,
        lastMs: T0 + 59_999,
      },
      {
        bucketMs: T0,
        machine: 'm1',
        tag: 'b',
        min: 3,
        max: 3,
        sum: 3,
        count: 1,
        last: 3,
        lastMs: T0 + 5000,
      },
    ]);
  });

  it('takes the later reading in the batch as last when two share the newest time', () => {
    const [minute] = minutes(fold([reading(10, 1), reading(10, 2), reading(3, 9)]));
    expect(minute).toMatchObject({ last: 2, lastMs: T0 + 10_000, count: 3 });
  });

  it('puts readings before 1970 in their own minute (floor, not truncation)', () => {
    const f = foldMetrics([message([{ tag: 'a', value: 1, ts: -30_000, quality: 'good' }])]);
    expect(minutes(f)[0]!.bucketMs).toBe(-60_000);
  });

  it('counts a boolean as 0 or 1, like the rows SQL aggregates', () => {
    const [minute] = minutes(fold([reading(1, true), reading(2, false)]));
    expect(minute).toMatchObject({ sum: 1, count: 2, last: 0 });
  });
});

describe('the rows and newest values of a batch', () => {
  it("writes every reading as a COPY row, escaping text, and keeps each series' newest", () => {
    const f = foldMetrics([
      message([reading(2, 'a\tb\\c'), reading(2, 4, 'uncertain', 'b')], 'm\n1'),
      message([reading(1, 9), { ...reading(3, null, 'bad'), unit: 'mm' }], 'm\n1'),
    ]);
    const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
    expect(f.rows).toBe(4);
    expect(f.copy).toBe(
      [
        `${iso(2)}\tm\\n1\ta\t\\N\ta\\tb\\\\c\t0`,
        `${iso(2)}\tm\\n1\tb\t4\t\\N\t1`,
        `${iso(1)}\tm\\n1\ta\t9\t\\N\t0`,
        `${iso(3)}\tm\\n1\ta\t\\N\t\\N\t2`,
        '',
      ].join('\n'),
    );
    expect(f.series.map(({ minutes: _, ...s }) => s)).toEqual([
      {
        machine: 'm\n1',
        tag: 'a',
        latestMs: T0 + 3000,
        num: null,
        text: null,
        kind: 'null',
        quality: 2,
        unit: 'mm',
      },
      {
        machine: 'm\n1',
        tag: 'b',
        latestMs: T0 + 2000,
        num: 4,
        text: null,
        kind: 'number',
        quality: 1,
        unit: null,
      },
    ]);
  });

  it('asks for the days of the rows inside the partition window only', () => {
    const day = 86_400_000;
    const f = foldMetrics([message([reading(0, 1), { ...reading(0, 2), ts: T0 - 3 * day }])], {
      fromMs: T0 - day,
      toMs: T0 + day,
    });
    expect([...f.days]).toEqual([Math.floor(T0 / day)]);
    expect(f.rows).toBe(2);
  });
});
