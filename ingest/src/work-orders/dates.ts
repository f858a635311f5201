import { zonedTimeToUtc } from '../domain/shifts';

/** How a date cell is read: formats (none: the usual ERP forms), zone, and which end of a bare day. */
export interface DateReading {
  formats?: readonly string[];
  timeZone: string;
  /** A bare date is due at the end of that day (dueAt), or starts at its beginning (plannedStart). */
  endOfDay: boolean;
  /** The cell came from a workbook: a plain number is an Excel date serial. */
  sheet: boolean;
}

/** What an ERP writes when no format is given: `2026-12-08`, `2026/12/8`, `2026.12.8`, with an optional `17:30[:00]`. */
export const DEFAULT_DATE_FORMATS = [
  'YYYY-M-D H:mm:ss',
  'YYYY/M/D H:mm:ss',
  'YYYY.M.D H:mm:ss',
] as const;

interface Wall {
  y: number;
  m: number;
  d: number;
  hh: number;
  mm: number;
  ss: number;
  timed: boolean;
}

const TOKENS: Record<string, [keyof Wall, string]> = {
  YYYY: ['y', '(\\d{4})'],
  MM: ['m', '(\\d{2})'],
  M: ['m', '(\\d{1,2})'],
  DD: ['d', '(\\d{2})'],
  D: ['d', '(\\d{1,2})'],
  HH: ['hh', '(\\d{2})'],
  H: ['hh', '(\\d{1,2})'],
  mm: ['mm', '(\\d{2})'],
  ss: ['ss', '(\\d{2})'],
};

/**
 * A format (`YYYY/M/D H:mm`) as a pattern. The time part is optional whatever the format
 * says (an ERP writes `2026-12-08` and `2026-12-08 00:00` in one column), and seconds are
 * optional after minutes.
 */
function compile(format: string): { re: RegExp; fields: (keyof Wall)[] } {
  const fields: (keyof Wall)[] = [];
  const timeAt = format.search(/[ T]?H/);
  const part = (text: string) =>
    text.replace(/YYYY|MM|M|DD|D|HH|H|mm|ss|[^YMDHms]/g, (t) => {
      const token = TOKENS[t];
      if (!token) return t.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      fields.push(token[0]);
      return token[1];
    });
  const date = part(timeAt < 0 ? format : format.slice(0, timeAt));
  let time = timeAt < 0 ? '' : part(format.slice(timeAt).replace(/:ss$/, ''));
  if (timeAt >= 0) time = `(?:${time.replace(/^ /, '[ T]')}(?::(\\d{2}))?)?`;
  if (timeAt >= 0) fields.push('ss');
  return { re: new RegExp(`^${date}${time}$`), fields };
}

function wallOf(value: string, format: string): Wall | undefined {
  const { re, fields } = compile(format);
  const match = re.exec(value);
  if (!match) return undefined;
  const wall: Wall = { y: 0, m: 0, d: 0, hh: 0, mm: 0, ss: 0, timed: false };
  fields.forEach((f, i) => {
    const v = match[i + 1];
    if (v === undefined) return;
    (wall[f] as number) = Number(v);
    if (f === 'hh') wall.timed = true;
  });
  return wall;
}

const valid = (w: Wall) => {
  const t = new Date(Date.UTC(w.y, w.m - 1, w.d));
  return (
    t.getUTCMonth() === w.m - 1 && t.getUTCDate() === w.d && w.hh < 24 && w.mm < 60 && w.ss < 60
  );
};

/** Excel's day 0 is 1899-12-30 (the 1900 leap-year bug absorbed); the fraction is the time. */
function serialWall(serial: number): Wall {
  const t = new Date(Date.UTC(1899, 11, 30) + Math.round(serial * 86_400) * 1000);
  return {
    y: t.getUTCFullYear(),
    m: t.getUTCMonth() + 1,
    d: t.getUTCDate(),
    hh: t.getUTCHours(),
    mm: t.getUTCMinutes(),
    ss: t.getUTCSeconds(),
    timed: serial % 1 !== 0,
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A date cell -> an ISO instant, read as a wall time in the plant's time zone; undefined
 * when it is not a date the reading accepts. ISO 8601 with an offset (`…Z`, `…+08:00`) is
 * always accepted as it is.
 */
export function readDate(value: string, how: DateReading): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : new Date(t).toISOString();
  }
  let wall: Wall | undefined;
  if (how.sheet && /^\d{1,6}(\.\d+)?$/.test(value)) wall = serialWall(Number(value));
  for (const format of how.formats?.length ? how.formats : DEFAULT_DATE_FORMATS) {
    if (wall) break;
    wall = wallOf(value, format);
  }
  if (!wall || !valid(wall)) return undefined;
  const day = { y: wall.y, m: wall.m, d: wall.d };
  if (wall.timed) {
    const at =
      zonedTimeToUtc(day, `${pad(wall.hh)}:${pad(wall.mm)}`, how.timeZone) + wall.ss * 1000;
    return new Date(at).toISOString();
  }
  if (!how.endOfDay) return new Date(zonedTimeToUtc(day, '00:00', how.timeZone)).toISOString();
  // Due on a day: the last second before midnight there.
  const next = new Date(Date.UTC(wall.y, wall.m - 1, wall.d + 1));
  const midnight = zonedTimeToUtc(
    { y: next.getUTCFullYear(), m: next.getUTCMonth() + 1, d: next.getUTCDate() },
    '00:00',
    how.timeZone,
  );
  return new Date(midnight - 1000).toISOString();
}
