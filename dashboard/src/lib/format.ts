/** Display formatting for a wall screen: short, unambiguous, no locale surprises in tests. */

export function formatAge(ageMsValue: number | null): string {
  if (ageMsValue === null) return 'never';
  const seconds = Math.floor(ageMsValue / 1000);
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

const UNITS = {
  en: { s: 's', min: 'min', h: 'h' },
  'zh-CN': { s: '秒', min: '分', h: '小时' },
} as const;

/** Time in a state, compact: "45 s", "12 min", "3 h 05" (zh-CN: "45 秒", "12 分", "3 小时 05"). */
export function formatDuration(ms: number, lang: keyof typeof UNITS = 'en'): string {
  const unit = UNITS[lang];
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} ${unit.s}`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} ${unit.min}`;
  const hours = Math.floor(minutes / 60);
  return `${hours} ${unit.h} ${String(minutes % 60).padStart(2, '0')}`;
}

/** HH:MM:SS in the screen's time zone, 24-hour, as plants read clocks. */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
}

/**
 * A reading for display with a fixed number of decimals for its size (two below 10, for
 * pressures in bar; none from 1000), so the digits do not jump about as the value moves.
 */
export function formatReading(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 10 ? 1 : 2;
  return value.toFixed(digits);
}

/** Piece counts as plain digits: a test can read them back with Number(text). */
export function formatCount(count: number): string {
  return String(Math.round(count));
}
