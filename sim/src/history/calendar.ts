import type { ShiftConfig } from '@takt/protocol';

/** One shift as it falls on the calendar, in epoch ms; `work` is the shift minus its breaks. */
export interface ShiftSpan {
  shift: string;
  from: number;
  to: number;
  work: { from: number; to: number }[];
}

const DAY_MS = 86_400_000;
const WEEKDAY = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** The time zone's offset from UTC at `at`, ms (Asia/Shanghai: +8 h). */
function offsetMs(timeZone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return local - Math.floor(at / 60_000) * 60_000;
}

/** Epoch ms of `hh:mm` on the local date `day` (a UTC-midnight stamp of that date). */
function localTime(timeZone: string, day: number, clock: string): number {
  const [h, m] = clock.split(':').map(Number) as [number, number];
  const naive = day + (h * 60 + m) * 60_000;
  const guess = naive - offsetMs(timeZone, naive);
  return naive - offsetMs(timeZone, guess); // once more: right across a DST change
}

/**
 * The plant's shifts between `from` and `to` (docs/production-model.md: the day a shift
 * starts decides its weekday and whether it is a holiday), clipped to the range.
 */
export function shiftSpans(
  shifts: readonly ShiftConfig[],
  timeZone: string,
  holidays: readonly string[],
  from: number,
  to: number,
): ShiftSpan[] {
  const spans: ShiftSpan[] = [];
  const firstDay = Math.floor((from + offsetMs(timeZone, from)) / DAY_MS) * DAY_MS - DAY_MS;
  for (let day = firstDay; day < to + DAY_MS; day += DAY_MS) {
    const date = new Date(day).toISOString().slice(0, 10);
    if (holidays.includes(date)) continue;
    for (const shift of shifts) {
      if (!shift.days.includes(WEEKDAY[new Date(day).getUTCDay()]!)) continue;
      const start = localTime(timeZone, day, shift.start);
      let end = localTime(timeZone, day, shift.end);
      if (end <= start) end = localTime(timeZone, day + DAY_MS, shift.end);
      const a = Math.max(start, from);
      const b = Math.min(end, to);
      if (b <= a) continue;
      const breaks = shift.breaks
        .map((br) => {
          let bs = localTime(timeZone, day, br.start);
          if (bs < start) bs = localTime(timeZone, day + DAY_MS, br.start);
          let be = localTime(timeZone, day, br.end);
          if (be <= bs) be = localTime(timeZone, day + DAY_MS, br.end);
          return { from: bs, to: be };
        })
        .sort((x, y) => x.from - y.from);
      const work: { from: number; to: number }[] = [];
      let cursor = a;
      for (const br of breaks) {
        if (br.from > cursor) work.push({ from: cursor, to: Math.min(br.from, b) });
        cursor = Math.max(cursor, br.to);
      }
      if (cursor < b) work.push({ from: cursor, to: b });
      spans.push({ shift: shift.id, from: a, to: b, work: work.filter((w) => w.to > w.from) });
    }
  }
  return spans.sort((x, y) => x.from - y.from);
}
