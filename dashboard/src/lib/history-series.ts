/**
 * `/api/history` answers as chart series, and the window a zoom asks for: raw rows give
 * `value`, buckets give `avg` with the `min`–`max` band, so zooming in re-queries the
 * narrower window and detail comes from raw data once the window is short enough.
 */
import type { HistoryAnswer } from '@takt/protocol/api';
export type { HistoryAnswer };

export interface TagSeries {
  tag: string;
  bucket: string;
  /** [epoch ms, value]: `value` for raw rows, `avg` for buckets. */
  line: [number, number | null][];
  /** [epoch ms, min, max] per bucket; empty for raw rows. */
  band: [number, number | null, number | null][];
}

export function tagSeries(answer: HistoryAnswer, tag: string): TagSeries {
  const s = answer.series.find((x) => x.tag === tag);
  const col = (name: string) => answer.columns.indexOf(name);
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  const points = s?.points ?? [];
  if (answer.bucketSeconds === null) {
    const v = col('value');
    return {
      tag,
      bucket: answer.bucket,
      line: points.map((p) => [Number(p[0]), num(p[v])]),
      band: [],
    };
  }
  const [avg, min, max] = [col('avg'), col('min'), col('max')];
  return {
    tag,
    bucket: answer.bucket,
    line: points.map((p) => [Number(p[0]), num(p[avg])]),
    band: points.map((p) => [Number(p[0]), num(p[min]), num(p[max])]),
  };
}

/** The window a dataZoom's percentages (0–100) name inside [fromMs, toMs), whole seconds. */
export function zoomWindow(
  fromMs: number,
  toMs: number,
  startPct: number,
  endPct: number,
): { fromMs: number; toMs: number } {
  const span = toMs - fromMs;
  const a = fromMs + (span * Math.max(0, Math.min(100, startPct))) / 100;
  const b = fromMs + (span * Math.max(0, Math.min(100, endPct))) / 100;
  const from = Math.floor(a / 1000) * 1000;
  // Never narrower than 10 s: a zoom onto one point would ask for an empty window.
  return { fromMs: from, toMs: Math.max(Math.ceil(b / 1000) * 1000, from + 10_000) };
}

/**
 * The history URL for a chart `widthPx` wide (about one point per 2 pixels): buckets, or raw
 * rows once the window holds no more seconds than the chart has points.
 */
export function historyUrl(
  machine: string,
  tags: readonly string[],
  fromMs: number,
  toMs: number,
  widthPx: number,
): string {
  const points = Math.max(50, Math.min(2000, Math.round(widthPx / 2)));
  const q = new URLSearchParams({
    machine,
    tag: tags.join(','),
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    points: String(points),
    bucket: (toMs - fromMs) / 1000 <= points ? 'raw' : 'auto',
  });
  return `/api/history?${q.toString()}`;
}
