import type { CharacteristicSummary } from '@takt/protocol/api';

/** A capability index to two decimals; – when there is none. */
export function formatIndex(v: number | null | undefined): string {
  return v === null || v === undefined ? '–' : v.toFixed(2);
}

/** "24.95 – 25.05 mm (25)": LSL – USL, unit, nominal. */
export function specText(
  c: Pick<CharacteristicSummary, 'lsl' | 'usl' | 'nominal' | 'unit'>,
): string {
  if (c.lsl === null || c.usl === null) return '–';
  const unit = c.unit ? ` ${c.unit}` : '';
  const nominal = c.nominal !== null ? ` (${c.nominal})` : '';
  return `${c.lsl} – ${c.usl}${unit}${nominal}`;
}
