import type { LiveSnapshot, LiveUpdate, MachineSnapshot } from '@takt/protocol/live';
import { clockOffsetMs } from './staleness';

/**
 * The screen's live connection as a reducer (docs/architecture.md "Conventions" 4:
 * connection life cycles are small state machines written as reducers):
 *
 *   connecting --snapshot--> live --disconnected--> lost --snapshot--> live
 *
 * `live` is entered only on a snapshot, never on the socket's connect: until the snapshot
 * arrives after a reconnect, what is on screen is still old data.
 */
export type ConnectionStatus = 'connecting' | 'live' | 'lost';

export interface LiveState {
  status: ConnectionStatus;
  /** By id, in the order the server first listed them. */
  machines: ReadonlyMap<string, MachineSnapshot>;
  /** Server clock minus local clock, from the newest message. */
  clockOffsetMs: number;
  /** Server time of the newest message, epoch ms; null before the first. */
  lastDataAtMs: number | null;
  /** Snapshots received so far: bumps on every (re)connect, so trends can re-seed. */
  snapshotCount: number;
  /** The last connection error while not live, for the banner. */
  error: string | null;
}

export type LiveAction =
  | { type: 'snapshot'; payload: LiveSnapshot; receivedAtMs: number }
  | { type: 'update'; payload: LiveUpdate; receivedAtMs: number }
  | { type: 'disconnected'; reason: string }
  | { type: 'connect-error'; message: string };

export const initialLiveState: LiveState = {
  status: 'connecting',
  machines: new Map(),
  clockOffsetMs: 0,
  lastDataAtMs: null,
  snapshotCount: 0,
  error: null,
};

function timing(payload: LiveSnapshot, receivedAtMs: number) {
  const offset = clockOffsetMs(payload.serverTime, receivedAtMs);
  return { clockOffsetMs: offset, lastDataAtMs: receivedAtMs + offset };
}

export function liveReducer(state: LiveState, action: LiveAction): LiveState {
  switch (action.type) {
    case 'snapshot': {
      const machines = new Map(action.payload.machines.map((m) => [m.id, m] as const));
      return {
        ...state,
        ...timing(action.payload, action.receivedAtMs),
        status: 'live',
        machines,
        snapshotCount: state.snapshotCount + 1,
        error: null,
      };
    }
    case 'update': {
      const machines = new Map(state.machines);
      for (const machine of action.payload.machines) machines.set(machine.id, machine);
      return { ...state, ...timing(action.payload, action.receivedAtMs), machines };
    }
    case 'disconnected':
      return {
        ...state,
        status: state.status === 'connecting' ? 'connecting' : 'lost',
        error: action.reason,
      };
    case 'connect-error':
      return { ...state, error: action.message };
  }
}
