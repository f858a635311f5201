import type { MachineSnapshot, TagValue } from '@takt/protocol/live';

/** The tag a tile trends when the machine has it. */
export const PREFERRED_TAG = 'temperature';

export interface MainTag {
  tag: string;
  reading: TagValue;
}

/** `temperature` when present, else the first tag holding a number, else null. */
export function mainTag(values: MachineSnapshot['values']): MainTag | null {
  const preferred = values[PREFERRED_TAG];
  if (preferred) return { tag: PREFERRED_TAG, reading: preferred };
  for (const [tag, reading] of Object.entries(values)) {
    if (typeof reading.value === 'number') return { tag, reading };
  }
  return null;
}

/** The number to plot and show, or null (a gap) for bad quality or a non-numeric value. */
export function numericValue(reading: TagValue): number | null {
  if (reading.quality === 'bad') return null;
  return typeof reading.value === 'number' ? reading.value : null;
}
