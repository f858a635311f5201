import type { ReactNode } from 'react';

export interface WindowChoice<K extends string | number> {
  key: K;
  label: ReactNode;
}

/**
 * A button group choosing a time window (the last 24 h, 7 d, …): one pressed button, the
 * others offering to switch. Used by the SPC, maintenance and analytics pages; each keeps its
 * own state and calls `onPick` with the chosen key (usually resetting "now" too).
 */
export function WindowPicker<K extends string | number>({
  label,
  choices,
  chosen,
  onPick,
  className,
}: {
  label: string;
  choices: readonly WindowChoice<K>[];
  chosen: K;
  onPick: (key: K) => void;
  className?: string;
}) {
  return (
    <span className={className} role="group" aria-label={label}>
      {choices.map((c) => (
        <button
          key={c.key}
          type="button"
          aria-pressed={c.key === chosen}
          data-window={c.key}
          onClick={() => onPick(c.key)}
        >
          {c.label}
        </button>
      ))}
    </span>
  );
}
