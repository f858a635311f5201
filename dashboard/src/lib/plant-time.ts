/**
 * Times as the plant reads them: in the plant's time zone (site.timeZone of the plant model),
 * 24-hour, whatever the zone of the browser showing them (a TV set to UTC, a customer abroad).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', ...options });
    formatters.set(key, f);
  }
  return f;
}

function parts(epochMs: number, timeZone: string, options: Intl.DateTimeFormatOptions) {
  const out: Record<string, string> = {};
  for (const p of formatter(timeZone, options).formatToParts(epochMs)) out[p.type] = p.value;
  return out;
}

/** HH:MM:SS */
export function plantClock(epochMs: number, timeZone: string): string {
  const p = parts(epochMs, timeZone, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return `${p.hour}:${p.minute}:${p.second}`;
}

/** HH:MM */
export function plantTime(epochMs: number, timeZone: string): string {
  const p = parts(epochMs, timeZone, { hour: '2-digit', minute: '2-digit' });
  return `${p.hour}:${p.minute}`;
}

/** YYYY-MM-DD */
export function plantDate(epochMs: number, timeZone: string): string {
  const p = parts(epochMs, timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' });
  return `${p.year}-${p.month}-${p.day}`;
}

/** YYYY-MM-DD HH:MM */
export function plantDateTime(epochMs: number, timeZone: string): string {
  return `${plantDate(epochMs, timeZone)} ${plantTime(epochMs, timeZone)}`;
}
