import { plantDate, plantTime } from './plant-time';

/**
 * A time axis label in the plant's zone, one line: the clock for windows up to a day, the
 * date with the clock for longer ones ("11-23 14:00"), the date alone beyond a week.
 */
export function axisTimeLabel(epochMs: number, spanMs: number, timeZone: string): string {
  if (spanMs <= 86_400_000) return plantTime(epochMs, timeZone);
  const date = plantDate(epochMs, timeZone).slice(5);
  return spanMs <= 7 * 86_400_000 ? `${date} ${plantTime(epochMs, timeZone)}` : date;
}
