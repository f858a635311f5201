import { LIVE_EVENTS, type LiveSnapshot } from '@takt/protocol';
import { BOARD, principalAccess, type Principal } from '../auth/access';
import { machineSnapshots } from '../queries/machines';
import type { IngestPlugin } from './types';

/** At most this many updates per second reach a screen (DESIGN "Live path": coalesce). */
const UPDATE_INTERVAL_MS = 250;

/**
 * socket.io: a screen gets the full snapshot on (re)connect, then coalesced updates holding
 * only the machines that changed; signed-in staff and kiosk screens only. One room for now (the plant board); line and machine
 * rooms come with more boards.
 */
export const livePlugin: IngestPlugin = (_app, { pool, io, log, onBatch, onStop }) => {
  const dirty = new Set<string>();
  let sending = false;

  io.on('connection', (socket) => {
    // Only who may open boards joins the plant room (a customer token may not, issue 9).
    const principal = socket.data.principal as Principal | undefined;
    if (!principal || !BOARD.includes(principalAccess(principal))) return;
    void socket.join('plant');
    machineSnapshots(pool).then(
      (machines) => {
        const snapshot: LiveSnapshot = { machines, serverTime: new Date().toISOString() };
        socket.emit(LIVE_EVENTS.snapshot, snapshot);
      },
      (error: Error) => log.error({ err: error.message }, 'snapshot for a screen failed'),
    );
  });

  onBatch(({ machines }) => {
    for (const id of machines) dirty.add(id);
  });

  const timer = setInterval(() => {
    if (sending || dirty.size === 0 || io.sockets.adapter.rooms.get('plant') === undefined) {
      if (io.sockets.adapter.rooms.get('plant') === undefined) dirty.clear();
      return;
    }
    const ids = [...dirty];
    dirty.clear();
    sending = true;
    machineSnapshots(pool, ids)
      .then((machines) => {
        io.to('plant').emit(LIVE_EVENTS.update, { machines, serverTime: new Date().toISOString() });
      })
      .catch((error: Error) => {
        for (const id of ids) dirty.add(id);
        log.error({ err: error.message }, 'live update failed');
      })
      .finally(() => (sending = false));
  }, UPDATE_INTERVAL_MS);
  onStop(() => clearInterval(timer));
};
