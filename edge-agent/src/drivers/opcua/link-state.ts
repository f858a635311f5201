import { backoffMs } from '../../device-runner';

/**
 * The life cycle of one OPC UA device connection as a reducer (docs/architecture.md "Conventions" 4): pure, so the
 * driver only carries out the effects it returns.
 *
 *   idle --start--> connecting --opened--> up --lost--> waiting --retry--> connecting
 *                        \--failed--> waiting (backoff 1 s doubling to 30 s)
 *   any --stop--> stopped
 */
export type LinkPhase = 'idle' | 'connecting' | 'up' | 'waiting' | 'stopped';

export interface LinkState {
  readonly phase: LinkPhase;
  /** Failed attempts since the link was last up (drives the backoff). */
  readonly failures: number;
  /** The sink has been told the device is down (connection(false) and bad readings, once). */
  readonly downReported: boolean;
}

export type LinkEvent =
  | { type: 'start' }
  | { type: 'opened' }
  | { type: 'failed'; detail: string }
  | { type: 'lost'; detail: string }
  | { type: 'retry' }
  | { type: 'stop' };

export type LinkEffect =
  | { type: 'open' }
  | { type: 'report-up' }
  | { type: 'report-down'; detail: string }
  | { type: 'close' }
  | { type: 'retry-in'; delayMs: number };

export const initialLinkState: LinkState = { phase: 'idle', failures: 0, downReported: false };

/** Tell the sink the device is down only once per outage. */
function down(state: LinkState, detail: string): LinkEffect[] {
  return state.downReported ? [] : [{ type: 'report-down', detail }];
}

export function linkReducer(state: LinkState, event: LinkEvent): [LinkState, LinkEffect[]] {
  if (state.phase === 'stopped') return [state, []];
  if (event.type === 'stop') {
    return [{ ...state, phase: 'stopped' }, [{ type: 'close' }]];
  }
  switch (state.phase) {
    case 'idle':
      return event.type === 'start'
        ? [{ ...state, phase: 'connecting' }, [{ type: 'open' }]]
        : [state, []];
    case 'connecting':
      if (event.type === 'opened') {
        return [{ phase: 'up', failures: 0, downReported: false }, [{ type: 'report-up' }]];
      }
      if (event.type === 'failed') {
        const failures = state.failures + 1;
        return [
          { phase: 'waiting', failures, downReported: true },
          [...down(state, event.detail), { type: 'retry-in', delayMs: backoffMs(failures) }],
        ];
      }
      return [state, []];
    case 'up':
      if (event.type === 'lost') {
        return [
          { phase: 'waiting', failures: 1, downReported: true },
          [
            { type: 'close' },
            ...down(state, event.detail),
            { type: 'retry-in', delayMs: backoffMs(1) },
          ],
        ];
      }
      return [state, []];
    case 'waiting':
      return event.type === 'retry'
        ? [{ ...state, phase: 'connecting' }, [{ type: 'open' }]]
        : [state, []];
  }
}
