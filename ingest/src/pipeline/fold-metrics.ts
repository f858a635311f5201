/**
 * The writer's one pass over a batch's readings (docs/decisions.md "Issue 22 — less work per
 * reading"), apart from the statements that write them (write-series.ts).
 */
import { copyValue } from './copy';
import { foldMinute, type MinuteAggregate } from './write-rollups';
import type { LiveBound, Msg } from './write-series';

const QUALITY = { good: 0, uncertain: 1, bad: 2 } as const;

/** One series (machine, tag) of a batch: its newest reading and its good numbers per minute. */
export interface SeriesFold {
  machine: string;
  tag: string;
  /** The newest reading's time (the later one in the batch on a tie) and columns. */
  latestMs: number;
  num: number | null;
  text: string | null;
  kind: 'number' | 'boolean' | 'string' | 'null';
  quality: number;
  unit: string | null;
  minutes: MinuteAggregate[];
}

/** A batch's metrics, read once (`foldMetrics`). */
export interface MetricsFold {
  /** The samples rows in COPY's text format. */
  copy: string;
  rows: number;
  /** The UTC days (ms / 86,400,000) of the rows inside the partition window. */
  days: Set<number>;
  series: SeriesFold[];
}

export const DAY_MS = 86_400_000;

/**
 * A batch's readings in one pass (docs/decisions.md "Issue 22 — less work per reading"): the
 * COPY text for samples, the days they need partitions for, and per series the newest value
 * (machine_values) and the minute rollups — with no object per reading, a message's readings
 * sharing their time text, and each machine and tag escaped once per batch.
 */
export function foldMetrics(
  messages: readonly Msg<'metrics'>[],
  window?: LiveBound['partitions'],
): MetricsFold {
  const escaped = new Map<string, string>();
  const escape = (v: string) => {
    let e = escaped.get(v);
    if (e === undefined) escaped.set(v, (e = copyValue(v)));
    return e;
  };
  const byMachine = new Map<string, Map<string, SeriesFold>>();
  const series: SeriesFold[] = [];
  const days = new Set<number>();
  let copy = '';
  let rows = 0;
  let lastTs = NaN;
  let iso = '';
  for (const m of messages) {
    const machine = m.machineId;
    const machineText = escape(machine);
    let tags = byMachine.get(machine);
    if (!tags) byMachine.set(machine, (tags = new Map()));
    for (const r of m.payload.readings) {
      const ts = r.ts;
      if (ts !== lastTs) {
        lastTs = ts;
        iso = new Date(ts).toISOString();
        if (!window || (ts >= window.fromMs && ts < window.toMs)) days.add(Math.floor(ts / DAY_MS));
      }
      const value = r.value;
      let num: number | null = null;
      let text: string | null = null;
      let kind: SeriesFold['kind'] = 'null';
      if (typeof value === 'number') {
        num = value;
        kind = 'number';
      } else if (typeof value === 'boolean') {
        num = value ? 1 : 0;
        kind = 'boolean';
      } else if (typeof value === 'string') {
        text = value;
        kind = 'string';
      }
      const quality = QUALITY[r.quality];
      copy += `${iso}\t${machineText}\t${escape(r.tag)}\t${num ?? '\\N'}\t${
        text === null ? '\\N' : copyValue(text)
      }\t${quality}\n`;
      rows += 1;
      let s = tags.get(r.tag);
      if (!s) {
        const unit = r.unit ?? null;
        s = { machine, tag: r.tag, latestMs: ts, num, text, kind, quality, unit, minutes: [] };
        tags.set(r.tag, s);
        series.push(s);
      } else if (ts >= s.latestMs) {
        s.latestMs = ts;
        s.num = num;
        s.text = text;
        s.kind = kind;
        s.quality = quality;
        s.unit = r.unit ?? null;
      }
      if (quality === 0 && num !== null) foldMinute(s.minutes, machine, r.tag, ts, num);
    }
  }
  return { copy, rows, days, series };
}
