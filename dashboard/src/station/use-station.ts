import {
  andonRoutes,
  stationRoutes,
  type StationCalls,
  type StationView,
} from '@takt/protocol/api';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, apiGet } from '../lib/api';
import { openIdbStore, Outbox, type OutboxStatus } from './outbox';
import { sendScans } from './station-api';

/** The station view and its andon calls are asked this often (REST; no socket for a station link). */
export const POLL_MS = 2_000;

export interface StationData {
  view: StationView | null;
  calls: StationCalls | null;
  /** Local time of the last good answer. */
  fetchedAtMs: number;
  /** The last poll failed (the answers on screen are older). */
  error: { status: number; message: string } | null;
  /** Ask again now (after a write). */
  refresh: () => void;
}

/** Polls `GET /api/stations/:id` and `/andon` every 2 s, keeping the last answer on a failure. */
export function useStationData(id: string): StationData {
  const [state, setState] = useState<Omit<StationData, 'refresh'>>({
    view: null,
    calls: null,
    fetchedAtMs: 0,
    error: null,
  });
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    let alive = true;
    const controller = new AbortController();
    const poll = async () => {
      try {
        const [view, calls] = await Promise.all([
          apiGet(stationRoutes.view, { params: { id } }, controller.signal),
          apiGet(andonRoutes.stationCalls, { params: { id } }, controller.signal).catch(() => null),
        ]);
        if (alive) setState({ view, calls, fetchedAtMs: Date.now(), error: null });
      } catch (err) {
        if (!alive) return;
        const status = err instanceof ApiError ? err.status : 0;
        setState((s) => ({ ...s, error: { status, message: (err as Error).message } }));
      }
    };
    void poll();
    const timer = window.setInterval(() => void poll(), POLL_MS);
    return () => {
      alive = false;
      controller.abort();
      window.clearInterval(timer);
    };
  }, [id, tick]);
  return { ...state, refresh };
}

const NO_STATUS: OutboxStatus = {
  waiting: 0,
  unauthorized: false,
  lastError: undefined,
  refused: [],
};

/**
 * The browser's outbox (outbox.ts), opened once per page: `queue(code)` keeps the code with
 * its time and sends it; the `online` event sends what waits at once. `onSent` runs when the
 * queue empties (the page then reads what the scans did).
 */
export function useOutbox(station: string, onSent: () => void) {
  const [status, setStatus] = useState<OutboxStatus>(NO_STATUS);
  const [failed, setFailed] = useState<string | null>(null);
  const outbox = useRef<Promise<Outbox> | null>(null);
  const sentRef = useRef(onSent);
  sentRef.current = onSent;
  useEffect(() => {
    const opened = openIdbStore().then((store) => new Outbox(store, sendScans));
    outbox.current = opened;
    let unsubscribe = () => undefined as unknown;
    let waiting = 0;
    void opened
      .then((box) => {
        unsubscribe = box.subscribe((s) => {
          if (s.waiting === 0 && waiting > 0) sentRef.current();
          waiting = s.waiting;
          setStatus(s);
        });
        void box.flush();
      })
      .catch((err: unknown) => setFailed(String(err)));
    const online = () => void opened.then((box) => box.flush());
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      unsubscribe();
      void opened.then((box) => box.stop());
    };
  }, []);
  const queue = useCallback(
    (code: string) => {
      const box = outbox.current;
      if (!box) return;
      void box
        .then((b) => b.enqueue(station, code))
        .catch((err: unknown) => setFailed(String(err)));
    },
    [station],
  );
  /** The credential works again (a poll answered): actions kept after a 401 may go. */
  const resume = useCallback(() => void outbox.current?.then((b) => b.resume()), []);
  return { status, queue, failed, resume };
}
