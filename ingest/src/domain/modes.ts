import type { MachineMode } from '@takt/protocol';
import { intersect, measure, normalize, subtract, type Interval } from './intervals';
import type { ShiftOccurrence } from './shifts';

/** A mode the machine was put in at `ts` (a mode card, a work order starting or ending). */
export interface ModeEvent {
  ts: number;
  mode: Exclude<MachineMode, 'no_shift' | 'break'>;
}

export interface ModeInterval extends Interval {
  mode: MachineMode;
}

/**
 * The mode a machine should be in over [from, to) (docs/production-model.md "Mode and state"). Outside
 * every shift it is `no_shift`, in a shift's break `break`; inside planned shift time the
 * last mode event in force, or `initial` before the first one (`production`, or `no_order`
 * for a machine driven by work orders). No shifts declared: the whole window is shift time.
 */
export function modeIntervals(
  events: readonly ModeEvent[],
  shifts: readonly ShiftOccurrence[] | null,
  from: number,
  to: number,
  initial: ModeEvent['mode'],
): ModeInterval[] {
  const window = [{ from, to }];
  const spans = shifts === null ? window : intersect(normalize(shifts), window);
  const planned =
    shifts === null ? window : normalize(shifts.flatMap((s) => intersect(s.planned, window)));
  const out: ModeInterval[] = [];
  for (const i of subtract(window, spans)) out.push({ ...i, mode: 'no_shift' });
  for (const i of subtract(spans, planned)) out.push({ ...i, mode: 'break' });
  const sorted = [...events].sort((a, b) => a.ts - b.ts);
  let mode = initial;
  let cursor = from;
  const emit = (end: number) => {
    for (const i of intersect([{ from: cursor, to: end }], planned)) out.push({ ...i, mode });
  };
  for (const e of sorted) {
    if (e.ts >= to) break;
    if (e.ts > cursor) {
      emit(e.ts);
      cursor = e.ts;
    }
    mode = e.mode;
  }
  if (cursor < to) emit(to);
  return merge(out.sort((a, b) => a.from - b.from));
}

function merge(intervals: ModeInterval[]): ModeInterval[] {
  const out: ModeInterval[] = [];
  for (const i of intervals) {
    const last = out.at(-1);
    if (last && last.to === i.from && last.mode === i.mode) last.to = i.to;
    else out.push({ ...i });
  }
  return out;
}

/** Modes whose time is never planned busy time, whatever the plant declares. */
const NEVER_BUSY: ReadonlySet<MachineMode> = new Set(['no_shift', 'break']);

/** Planned busy time (ISO 22400-2 PBT): shift time minus breaks and the plant's planned-stop modes. */
export function busyIntervals(
  modes: readonly ModeInterval[],
  plannedStopModes: readonly MachineMode[],
): Interval[] {
  const stop = new Set(plannedStopModes);
  return normalize(modes.filter((m) => !NEVER_BUSY.has(m.mode) && !stop.has(m.mode)));
}

/** The intervals of one mode (changeover: where stops are setup losses). */
export function modeTime(modes: readonly ModeInterval[], mode: MachineMode): Interval[] {
  return normalize(modes.filter((m) => m.mode === mode));
}

/**
 * Where startup rejects come from (six big losses): changeovers, and the first
 * `startupMs` after each one ended, while the machine settles.
 */
export function startupIntervals(modes: readonly ModeInterval[], startupMs: number): Interval[] {
  const changeovers = modeTime(modes, 'changeover');
  return normalize(changeovers.map((c) => ({ from: c.from, to: c.to + startupMs })));
}

/** Total time per mode, for a report. */
export function modeTotals(modes: readonly ModeInterval[]): Partial<Record<MachineMode, number>> {
  const out: Partial<Record<MachineMode, number>> = {};
  for (const m of modes) out[m.mode] = (out[m.mode] ?? 0) + measure([m]);
  return out;
}
