/**
 * The plant bench's readers, a process of their own (bench/plant.ts starts it with an IPC
 * channel), signed in with a manager's session:
 * - three live boards (plant, line, orders): each a socket.io connection as the dashboard's
 *   (dashboard/src/live/use-live-machines.ts) plus the polls that board makes
 *   (dashboard/src/boards/: the shift figures each minute; the line's OEE, stops and
 *   per-machine output each minute and the orders every 15 s; the orders every 15 s);
 *   publish→screen lag is measured on every `machines:update` as now minus the newest
 *   reading time of each machine that brought a newer reading (readings carry their
 *   publish time, bench/plant-publisher.ts);
 * - an API client asking `/api/boards/shift`, `/api/oee?line=`, `/api/work-orders` and
 *   `/api/history` in turn, half a second apart, as a planner clicking through analytics.
 */
import { readFileSync } from 'node:fs';
import { LIVE_EVENTS } from '@takt/protocol';
import { io, type Socket } from 'socket.io-client';
import { LatencyHistogram } from './plant-stats';

export interface ClientsConfig {
  url: string;
  token: string;
  lines: string[];
  /** The line board's line (its output comes in one request: `/api/output?line=`). */
  boardLine: { id: string };
  machines: string[];
}

export interface RouteFigures {
  /** Latencies (ms) since `measure`. */
  ms: number[];
  errors: number;
  lastError?: string;
}

export interface ClientsReport {
  type: 'report';
  screenWindow: [number, number][];
  screenRun: [number, number][];
  updates: number;
  api: Record<string, RouteFigures>;
  boards: Record<string, RouteFigures>;
  disconnects: number;
}

const THINK_MS = 500;
/** A request unanswered this long is given up, counted as an error and as this latency. */
const TIMEOUT_MS = 30_000;
const SHIFT_POLL_MS = 60_000;
const ORDERS_POLL_MS = 15_000;

/** Start of the bench plant's current shift (06:00 and 18:00 Asia/Shanghai = 22:00 and 10:00 UTC). */
function shiftStart(now: number): string {
  const d = new Date(now);
  const h = d.getUTCHours();
  const start = new Date(
    Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), h >= 22 ? 22 : h >= 10 ? 10 : -2),
  );
  return start.toISOString();
}

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ClientsConfig;
  const screenWindow = new LatencyHistogram();
  const screenRun = new LatencyHistogram();
  let updates = 0;
  let disconnects = 0;
  let stopped = false;
  const api: Record<string, RouteFigures> = {};
  const boards: Record<string, RouteFigures> = {};

  const get = async (into: Record<string, RouteFigures>, key: string, path: string) => {
    const figures = (into[key] ??= { ms: [], errors: 0 });
    const t0 = performance.now();
    try {
      const response = await fetch(`${config.url}${path}`, {
        headers: { authorization: `Bearer ${config.token}` },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await response.arrayBuffer();
      if (!response.ok) {
        figures.errors += 1;
        figures.lastError = `HTTP ${response.status} ${path}`;
        return;
      }
      figures.ms.push(Math.round(performance.now() - t0));
    } catch (error) {
      figures.errors += 1;
      figures.lastError = `${(error as Error).message} ${path}`;
      // An answer that never came is at least this slow: it counts in the percentiles.
      if ((error as Error).name === 'TimeoutError') figures.ms.push(TIMEOUT_MS);
    }
  };

  // The three boards' live connections.
  const sockets: Socket[] = [];
  const lastSeen = new Map<string, number>();
  for (let i = 0; i < 3; i++) {
    const socket = io(config.url, { transports: ['websocket'], auth: { token: config.token } });
    socket.on('disconnect', () => (disconnects += 1));
    // Each board sees every update; lag is taken once per (machine, reading), at its first arrival.
    socket.on(
      LIVE_EVENTS.update,
      (update: { machines: { id: string; values: Record<string, { at: string }> }[] }) => {
        const now = Date.now();
        updates += 1;
        for (const m of update.machines) {
          let newest = 0;
          for (const v of Object.values(m.values)) newest = Math.max(newest, Date.parse(v.at));
          if (newest > (lastSeen.get(m.id) ?? 0)) {
            lastSeen.set(m.id, newest);
            screenWindow.add(now - newest);
            screenRun.add(now - newest);
          }
        }
      },
    );
    sockets.push(socket);
  }

  const every = (ms: number, job: () => Promise<unknown>) => {
    const run = async () => {
      while (!stopped) {
        const t0 = Date.now();
        await job();
        await new Promise((r) => setTimeout(r, Math.max(0, ms - (Date.now() - t0))));
      }
    };
    void run();
  };
  const span = () =>
    `from=${encodeURIComponent(shiftStart(Date.now()))}&to=${encodeURIComponent(new Date().toISOString())}`;
  const line = config.boardLine;
  // Plant board.
  every(SHIFT_POLL_MS, () => get(boards, '/api/boards/shift', '/api/boards/shift'));
  // Line board.
  every(SHIFT_POLL_MS, () =>
    Promise.all([
      get(boards, '/api/oee', `/api/oee?line=${line.id}&${span()}`),
      get(boards, '/api/downtime', `/api/downtime?line=${line.id}&${span()}`),
      get(boards, '/api/output', `/api/output?line=${line.id}&${span()}`),
    ]),
  );
  every(ORDERS_POLL_MS, () => get(boards, '/api/work-orders', '/api/work-orders?limit=500'));
  // Orders board.
  every(ORDERS_POLL_MS, () => get(boards, '/api/work-orders', '/api/work-orders?limit=500'));

  // The API client.
  void (async () => {
    for (let round = 0; !stopped; round++) {
      const lineId = config.lines[round % config.lines.length]!;
      const machine = config.machines[(round * 37) % config.machines.length]!;
      const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
      const steps: [string, string][] = [
        ['/api/boards/shift', '/api/boards/shift'],
        ['/api/oee', `/api/oee?line=${lineId}&${span()}`],
        ['/api/work-orders', '/api/work-orders'],
        [
          '/api/history',
          `/api/history?machine=${machine}&tag=temperature&from=${encodeURIComponent(hourAgo)}`,
        ],
      ];
      for (const [key, path] of steps) {
        if (stopped) break;
        await get(api, key, path);
        await new Promise((r) => setTimeout(r, THINK_MS));
      }
    }
  })();

  const clear = (figures: Record<string, RouteFigures>) => {
    for (const f of Object.values(figures)) {
      f.ms = [];
      f.errors = 0;
      delete f.lastError;
    }
  };
  process.on('message', (cmd: { type: string }) => {
    if (cmd.type === 'report') {
      const report: ClientsReport = {
        type: 'report',
        screenWindow: screenWindow.toPairs(),
        screenRun: screenRun.toPairs(),
        updates,
        api,
        boards,
        disconnects,
      };
      screenWindow.reset();
      process.send!(report);
    } else if (cmd.type === 'measure') {
      screenRun.reset();
      screenWindow.reset();
      clear(api);
      clear(boards);
    } else if (cmd.type === 'stop') {
      stopped = true;
      sockets.forEach((s) => s.close());
      process.send!({ type: 'stopped' });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'ready' });
}

main().catch((error: Error) => {
  process.stderr.write(`clients: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
