import type { MachineSnapshot } from '@takt/protocol/live';

export type MachineState = MachineSnapshot['state'];

export interface StateStyle {
  /** Shown (upper-case) in the tile's state band. */
  label: string;
  /** For the header summary, where six states share one line. */
  shortLabel: string;
  /** Band background; picked to be told apart from a few metres on a dark screen. */
  color: string;
  /** Text on the band, chosen for contrast with `color`. */
  ink: string;
}

/**
 * One colour per state (DESIGN "Domain"). Reduced speed and microstop share amber: both mean
 * "producing, but losing performance"; the label tells them apart. `unknown` is no data, never
 * a running colour.
 */
export const STATE_STYLES: Readonly<Record<MachineState, StateStyle>> = {
  running: { label: 'Running', shortLabel: 'Running', color: '#22c55e', ink: '#04240f' },
  reduced_speed: {
    label: 'Reduced speed',
    shortLabel: 'Reduced',
    color: '#f59e0b',
    ink: '#2a1800',
  },
  microstop: { label: 'Microstop', shortLabel: 'Microstop', color: '#f59e0b', ink: '#2a1800' },
  idle: { label: 'Idle', shortLabel: 'Idle', color: '#6b86a6', ink: '#0b1522' },
  down: { label: 'Down', shortLabel: 'Down', color: '#ef4444', ink: '#ffffff' },
  unknown: { label: 'Offline / no data', shortLabel: 'No data', color: '#3b414a', ink: '#d4dae1' },
};

export function stateStyle(state: MachineState): StateStyle {
  return STATE_STYLES[state] ?? STATE_STYLES.unknown;
}

/** Order used for the header summary: worst first, so a glance finds the problems. */
export const SUMMARY_ORDER: readonly MachineState[] = [
  'down',
  'unknown',
  'microstop',
  'reduced_speed',
  'idle',
  'running',
];

export function countByState(machines: readonly MachineSnapshot[]): Record<MachineState, number> {
  const counts: Record<MachineState, number> = {
    running: 0,
    reduced_speed: 0,
    microstop: 0,
    idle: 0,
    down: 0,
    unknown: 0,
  };
  for (const machine of machines) counts[machine.state] += 1;
  return counts;
}
