/**
 * A keyboard-wedge scanner (USB or Bluetooth HID) types its code as keystrokes and ends it
 * with a suffix key (Enter, or Tab when set so). The station page has no visible text box for
 * it: this reducer watches the keys and tells a scan from a person typing by the gaps between
 * keys (a scanner sends a key every few ms; a fast typist needs ~80 ms or more) and the suffix
 * (docs/dashboard.md "Station"). Pure: keys and their times in, a code or nothing out.
 */

export interface WedgeOptions {
  /** The longest gap between two keys of one scan (and before its suffix). */
  maxGapMs: number;
  /** The shortest code taken as a scan: shorter bursts are a typist's lucky pair. */
  minLength: number;
  /** Keys that end a scan (`KeyboardEvent.key`). */
  suffixes: readonly string[];
  /** The longest code kept (what the scans route accepts). */
  maxLength: number;
}

export const WEDGE_DEFAULTS: Readonly<WedgeOptions> = Object.freeze({
  maxGapMs: 35,
  minLength: 4,
  suffixes: Object.freeze(['Enter', 'Tab']),
  maxLength: 256,
});

export interface WedgeState {
  /** The characters of the burst so far. */
  buffer: string;
  /** When the last key of the burst came (ms, the caller's monotonic clock). */
  lastAtMs: number | undefined;
}

export const WEDGE_IDLE: WedgeState = Object.freeze({ buffer: '', lastAtMs: undefined });

export interface WedgeStep {
  state: WedgeState;
  /** A whole scan, ended by its suffix. */
  scan?: string;
  /**
   * The key belongs to a scan: the caller stops its default action, so the suffix Enter does
   * not press the button that has focus.
   */
  consumed: boolean;
}

/**
 * One key: `key` as `KeyboardEvent.key` (a printable character has length 1; modifiers and
 * other named keys are ignored, but Shift between characters of a scan is what a scanner
 * sends for capitals and does not break the burst).
 */
export function wedgeKey(
  state: WedgeState,
  key: string,
  atMs: number,
  options: WedgeOptions = WEDGE_DEFAULTS,
): WedgeStep {
  const gapMs = state.lastAtMs === undefined ? Infinity : atMs - state.lastAtMs;
  const inBurst = state.buffer.length > 0 && gapMs >= 0 && gapMs <= options.maxGapMs;
  if (options.suffixes.includes(key)) {
    if (inBurst && state.buffer.length >= options.minLength)
      return { state: WEDGE_IDLE, scan: state.buffer, consumed: true };
    return { state: WEDGE_IDLE, consumed: false };
  }
  if (key === 'Shift') return { state, consumed: false };
  if (key.length !== 1) return { state: WEDGE_IDLE, consumed: false };
  const buffer = inBurst ? state.buffer + key : key;
  if (buffer.length > options.maxLength) return { state: WEDGE_IDLE, consumed: false };
  // A character is swallowed once the burst is long enough to be a scan's.
  return { state: { buffer, lastAtMs: atMs }, consumed: buffer.length >= options.minLength };
}

/** Feeds a whole sequence of keys (tests, replay): the scans it holds, in order. */
export function wedgeScans(
  keys: readonly { key: string; atMs: number }[],
  options: WedgeOptions = WEDGE_DEFAULTS,
): string[] {
  const scans: string[] = [];
  let state = WEDGE_IDLE;
  for (const { key, atMs } of keys) {
    const step = wedgeKey(state, key, atMs, options);
    state = step.state;
    if (step.scan !== undefined) scans.push(step.scan);
  }
  return scans;
}

/** Where keys are a person's own typing, which the wedge must leave alone. */
export function isTextEntry(
  element: { tagName?: string; isContentEditable?: boolean; type?: string } | null,
): boolean {
  if (!element) return false;
  if (element.isContentEditable) return true;
  const tag = element.tagName?.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (element.type ?? 'text').toLowerCase();
  return !['button', 'submit', 'reset', 'checkbox', 'radio', 'range', 'color', 'file'].includes(
    type,
  );
}

/**
 * Listens on `target` (the window) and calls `onScan` with each scan. Keys typed into a text
 * field are not watched: the typed-entry field submits on Enter by itself, so a scanner
 * aimed at it gives the same result. Returns the function that stops listening.
 */
export function listenForWedge(
  target: Pick<Window, 'addEventListener' | 'removeEventListener'>,
  onScan: (code: string) => void,
  options: WedgeOptions = WEDGE_DEFAULTS,
): () => void {
  let state = WEDGE_IDLE;
  const onKey = (event: KeyboardEvent) => {
    if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    if (isTextEntry(event.target as HTMLElement | null)) {
      state = WEDGE_IDLE;
      return;
    }
    const step = wedgeKey(state, event.key, event.timeStamp, options);
    state = step.state;
    if (step.consumed) event.preventDefault();
    if (step.scan !== undefined) onScan(step.scan);
  };
  target.addEventListener('keydown', onKey, { capture: true });
  return () => target.removeEventListener('keydown', onKey, { capture: true });
}
