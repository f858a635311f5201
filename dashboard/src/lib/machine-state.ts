import type { MachineSnapshot } from '@takt/protocol/live';
import { THEME } from '../charts/colors';

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
 * One colour per state (docs/production-model.md). Reduced speed and microstop share amber: both mean
 * "producing, but losing performance"; the label tells them apart. `unknown` is no data, never
 * a running colour.
 */
export const STATE_STYLES: Readonly<Record<MachineState, StateStyle>> = {
  running: { label: 'Running', shortLabel: 'Running', color: THEME.ok, ink: '#04240f' },
  reduced_speed: {
    label: 'Reduced speed',
    shortLabel: 'Reduced',
    color: THEME.warn,
    ink: THEME.onWarn,
  },
  microstop: { label: 'Microstop', shortLabel: 'Microstop', color: THEME.warn, ink: THEME.onWarn },
  idle: { label: 'Idle', shortLabel: 'Idle', color: '#6b86a6', ink: '#0b1522' },
  down: { label: 'Down', shortLabel: 'Down', color: THEME.bad, ink: '#ffffff' },
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

/**
 * What a board tile shows (issue 8): the PLC's state, except that a machine with no fresh
 * data is `offline`, and one stopped in a planned stop (its mode is a planned stop of the
 * plant, no shift, a break) is `planned`, not an availability loss.
 */
export type DisplayState = Exclude<MachineState, 'unknown'> | 'planned' | 'offline';

/**
 * No message for this long: offline, unless ingest says the machine's gateway declared a
 * longer heartbeat (`staleAfterMs`, three of them). Longer than the tile's 10 s stale mark
 * (one missed reading), shorter than ingest's 180 s state expiry (machine time counts it
 * unknown then).
 */
export const OFFLINE_AFTER_MS = 60_000;

/** How long this machine's last message holds: what ingest sent, else 60 s. */
export function offlineAfterMs(machine: Pick<MachineSnapshot, 'staleAfterMs'>): number {
  return machine.staleAfterMs ?? OFFLINE_AFTER_MS;
}

/** Modes that are planned stops when a plant does not say (protocol's plant schema defaults). */
const DEFAULT_PLANNED_MODES = ['cleaning', 'planned_maintenance', 'no_order'];

/** The modes in which a stopped machine is `planned`: the plant's list, and always no_shift and break. */
export function plannedModes(
  plant: { modes?: { planned?: readonly string[] } } | null,
): ReadonlySet<string> {
  return new Set([...(plant?.modes?.planned ?? DEFAULT_PLANNED_MODES), 'no_shift', 'break']);
}

const PRODUCING: ReadonlySet<MachineState> = new Set(['running', 'reduced_speed', 'microstop']);

export function displayState(
  machine: Pick<MachineSnapshot, 'state' | 'lastSeenAt' | 'mode' | 'staleAfterMs'>,
  serverNowMs: number,
  planned: ReadonlySet<string>,
): DisplayState {
  const seen = machine.lastSeenAt === null ? NaN : Date.parse(machine.lastSeenAt);
  const fresh = serverNowMs - seen <= offlineAfterMs(machine);
  if (machine.state === 'unknown' || !fresh) return 'offline';
  if (!PRODUCING.has(machine.state) && machine.mode && planned.has(machine.mode)) return 'planned';
  return machine.state;
}

/** Band colours of the board tiles: the PLC states' as above, planned violet, offline grey. */
export const DISPLAY_COLORS: Readonly<Record<DisplayState, { color: string; ink: string }>> = {
  running: STATE_STYLES.running,
  reduced_speed: STATE_STYLES.reduced_speed,
  microstop: STATE_STYLES.microstop,
  idle: STATE_STYLES.idle,
  down: STATE_STYLES.down,
  planned: { color: '#8b5cf6', ink: '#ffffff' },
  offline: STATE_STYLES.unknown,
};

/** The label key of a display state (`offline` reads as the catalog's "Offline / no data"). */
export function stateLabelKey(state: DisplayState) {
  return state === 'offline' ? ('state.unknown' as const) : (`state.${state}` as const);
}
