import { zonedEpoch } from '../lib/analytics-window';
import { plantDate, plantTime } from '../lib/plant-time';

/*
 * The order page's due-date picker (`<input type="datetime-local">`) reads and writes the
 * plant's wall clock (site.timeZone), whatever the browser's zone (docs/decisions.md
 * "Issues 19/20 — silence judged by arrival; live order changes").
 */

/** An instant as a date-time picker's value (`YYYY-MM-DDTHH:MM`) on the plant's wall clock. */
export function plantPickerValue(iso: string | null, timeZone: string): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  return `${plantDate(ms, timeZone)}T${plantTime(ms, timeZone)}`;
}

/** A picker's value read on the plant's wall clock, as an ISO instant; null if not one. */
export function plantPickerInstant(value: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const at = zonedEpoch({ y, m: mo, d }, h * 60 + mi, timeZone);
  // A wall time that does not exist (skipped by a clock change) is refused, not moved.
  return plantPickerValue(new Date(at).toISOString(), timeZone) === value.slice(0, 16)
    ? new Date(at).toISOString()
    : null;
}
