import { LIVE_EVENTS, type LiveSnapshot, type MachineSnapshot } from '@takt/protocol';
import { BOARD, principalAccess, type Principal } from '../auth/access';
import { machineSnapshots } from '../queries/machines';
import { LeadingThrottle } from './live-throttle';
import type { Consumer, ConsumerContext } from './types';

/**
 * Updates reach a screen at most every this many ms, and a change waits at most this long
 * for its update: in practice one update per commit, at most 40 a second
 * (docs/decisions.md "Issue 5 — live latency", "Issue 22 — the third pass"); the default of
 * `TAKT_LIVE_UPDATE_MS` (docs/config-reference.md).
 */
export const UPDATE_INTERVAL_MS = 25;
/** After a failed update query, the next try (the batcher retries its writes as often). */
const RETRY_MS = 1000;

/**
 * socket.io: a screen gets the full snapshot on (re)connect, then coalesced updates holding
 * only the machines that changed; signed-in staff and kiosk screens only. One room for now (the plant board); line and machine
 * rooms come with more boards.
 */
export function liveConsumer(): Consumer {
  const state: LiveState = {
    dirty: new Set(),
    sent: new Map(),
    retry: undefined,
    stopped: false,
  };
  let throttle: LeadingThrottle | undefined;

  // Right after a batch commits, unless an update went out less than an interval ago.
  const changed = (machines: ReadonlySet<string>) => {
    if (machines.size === 0) return;
    for (const id of machines) state.dirty.add(id);
    throttle?.request();
  };

  return {
    name: 'live',
    async start(ctx) {
      throttle = startLive(ctx, state);
    },
    async onCommitted({ machines }) {
      changed(machines);
    },
    onMachinesChanged({ machines }) {
      changed(machines);
    },
    async stop() {
      state.stopped = true;
      throttle?.stop();
      clearTimeout(state.retry);
    },
  };
}

interface LiveState {
  /** Machines changed since the last update went out. */
  dirty: Set<string>;
  /**
   * Each machine as the room last got it (its JSON): an update carries only the machines whose
   * snapshot differs, so a commit that touched a machine without changing what a board shows
   * sends nothing for it (docs/decisions.md "Issue 22 — per-commit work").
   */
  sent: Map<string, string>;
  retry: NodeJS.Timeout | undefined;
  stopped: boolean;
}

/** The plant room: snapshots on join, then coalesced updates of the dirty machines. */
function startLive(
  { pool, io, log, liveUpdateMs }: ConsumerContext,
  state: LiveState,
): LeadingThrottle {
  const { dirty, sent } = state;
  io.on('connection', (socket) => {
    // Only who may open boards joins the plant room (a customer token may not, issue 9).
    const principal = socket.data.principal as Principal | undefined;
    if (!principal || !BOARD.includes(principalAccess(principal))) return;
    void socket.join('plant');
    machineSnapshots(pool).then(
      (machines) => {
        const snapshot: LiveSnapshot = { machines, serverTime: new Date().toISOString() };
        socket.emit(LIVE_EVENTS.snapshot, snapshot);
        // An update read after this snapshot may have reached the screen before it: whatever
        // the snapshot has that the room did not last get goes out again, read anew.
        let again = false;
        for (const machine of machines) {
          const last = sent.get(machine.id);
          if (last === undefined || last === JSON.stringify(machine)) continue;
          sent.delete(machine.id);
          dirty.add(machine.id);
          again = true;
        }
        if (again) throttle.request();
      },
      (error: Error) => log.error({ err: error.message }, 'snapshot for a screen failed'),
    );
  });

  const plantRoomEmpty = () => io.sockets.adapter.rooms.get('plant') === undefined;
  const throttle = new LeadingThrottle({
    minIntervalMs: liveUpdateMs ?? UPDATE_INTERVAL_MS,
    run: async () => {
      // Nobody watching: nothing to send; a screen that joins gets a full snapshot anyway.
      if (plantRoomEmpty()) {
        dirty.clear();
        sent.clear();
        return;
      }
      if (dirty.size === 0) return;
      const ids = [...dirty];
      dirty.clear();
      try {
        const machines = changedOnly(await machineSnapshots(pool, ids), sent);
        if (machines.length === 0) return;
        io.to('plant').emit(LIVE_EVENTS.update, { machines, serverTime: new Date().toISOString() });
      } catch (error) {
        if (state.stopped) return; // the pool closed under a last update
        for (const id of ids) dirty.add(id);
        log.error({ err: (error as Error).message }, 'live update failed; retrying');
        // Not at the update rate: a database that is away would fill the log 10 times a second.
        clearTimeout(state.retry);
        state.retry = setTimeout(() => throttle.request(), RETRY_MS);
      }
    },
    onError: (error) => log.error({ err: (error as Error).message }, 'live update failed'),
  });
  return throttle;
}

/**
 * The snapshots that differ from what the room last got, recorded as sent. A screen that joins
 * later gets a full snapshot read after it joined, so it never misses what this skips.
 */
export function changedOnly(
  machines: readonly MachineSnapshot[],
  sent: Map<string, string>,
): MachineSnapshot[] {
  return machines.filter((machine) => {
    const json = JSON.stringify(machine);
    if (sent.get(machine.id) === json) return false;
    sent.set(machine.id, json);
    return true;
  });
}
