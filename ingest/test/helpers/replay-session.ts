/*
 * One recorded plant session for the replay test (issue 15), generated in code: a day shift
 * (06:00-14:00, break 10:00-10:30, UTC) on a day 26-50 h ago, so every edge time is in the
 * past and inside the horizon. Fixture: ingest/test/fixtures/replay-plant.yaml.
 *
 * - press-1: running 06:00; down 08:10-08:25 (a reason card R spindle at 08:15); a mode card
 *   ACT:CHANGEOVER 11:00, idle until ACT:PRODUCTION 11:20; 25 good / running minute, PLC
 *   rejects 2 / min 11:20-11:30 (startup) and 1 / min 13:00-13:10. OP10 of WO-A 06:03-06:43,
 *   a badge login, a REJ:5:burr hand report.
 * - weld-1: first data 07:00 (06:00-07:00 not monitored); idle 09:57-10:31 across the break;
 *   20 good / running minute. OP20 of WO-A started 07:03, paused 07:31, started 07:46,
 *   completed 08:06.
 * - pack-1: down 09:50-10:40 across the break, no reason; 15 good / running minute.
 * - bench-1 (a hand station): OP30 of WO-A started 08:10, QTY:400 at 09:00, still running.
 *
 * PLC states and counts come from gateway gw-line, scans from gw-scan, each with its own seq
 * in edge-time order (as its disk queue holds them).
 */
import { encodePayload, topics, type PayloadByKind } from '@takt/protocol';

export const MIN = 60_000;
const DAY = 24 * 60 * MIN;
export const SITE = 'replay-site';
/** Midnight (UTC) of a day whose 14:00 is at least 12 h ago. */
export const base = Math.floor((Date.now() - 26 * 60 * MIN) / DAY) * DAY;
export const at = (hhmm: string) =>
  base + (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))) * MIN;
export const SHIFT_FROM = at('06:00');
export const SHIFT_TO = at('14:00');

export type Kind = 'state' | 'count' | 'scan';
export type Gateway = 'gw-line' | 'gw-scan';
export interface Msg {
  gateway: Gateway;
  machine: string;
  kind: Kind;
  ts: number;
  seq: number;
  body: Record<string, unknown>;
}

const running = { state: 'running', code: 1 };
const idle = { state: 'idle', code: 2 };
const down = { state: 'down', code: 3 };
type StateBody = typeof running;

/** Each machine's state changes; the last holds until the end of the session (14:00). */
const timelines: Record<string, [string, StateBody][]> = {
  'press-1': [
    ['06:00', running],
    ['08:10', down],
    ['08:25', running],
    ['11:00', idle],
    ['11:20', running],
  ],
  'weld-1': [
    ['07:00', running],
    ['09:57', idle],
    ['10:31', running],
  ],
  'pack-1': [
    ['06:00', running],
    ['09:50', down],
    ['10:40', running],
  ],
};
const goodPerRunningMin: Record<string, number> = { 'press-1': 25, 'weld-1': 20, 'pack-1': 15 };
/** PLC rejects per minute of press-1, on top of its good pieces. */
const rejectsPerMin = (machine: string, ts: number) =>
  machine !== 'press-1'
    ? 0
    : ts >= at('11:20') && ts < at('11:30')
      ? 2
      : ts >= at('13:00') && ts < at('13:10')
        ? 1
        : 0;

function stateAt(machine: string, ts: number): StateBody {
  let current = timelines[machine]![0]![1];
  for (const [hhmm, body] of timelines[machine]!) if (at(hhmm) <= ts) current = body;
  return current;
}

/** The PLC's absolute totals at `ts`: what it made since the machine's first data. */
function totalsAt(machine: string, ts: number) {
  let good = 0;
  let reject = 0;
  for (let t = at(timelines[machine]![0]![0]); t < ts; t += MIN) {
    if (stateAt(machine, t) !== running) continue;
    good += goodPerRunningMin[machine]!;
    reject += rejectsPerMin(machine, t);
  }
  return { good, reject };
}

const scanList: [string, string, Record<string, unknown>][] = [
  ['press-1', '06:02', { code: 'E7', action: 'login', operator: '7' }],
  [
    'press-1',
    '06:03',
    { code: 'WO-A/OP10', workOrder: 'WO-A', operation: 'OP10', action: 'start' },
  ],
  ['press-1', '06:20', { code: 'REJ:5:burr', action: 'reject', quantity: 5, reason: 'burr' }],
  [
    'press-1',
    '06:43',
    { code: 'WO-A/OP10', workOrder: 'WO-A', operation: 'OP10', action: 'complete' },
  ],
  ['press-1', '08:15', { code: 'Rspindle', action: 'reason', reason: 'spindle' }],
  ['press-1', '11:00', { code: 'ACT:CHANGEOVER', action: 'changeover' }],
  ['press-1', '11:20', { code: 'ACT:PRODUCTION', action: 'production' }],
  ['weld-1', '07:01', { code: 'E8', action: 'login', operator: '8' }],
  ['weld-1', '07:03', { code: 'WO-A/OP20', workOrder: 'WO-A', operation: 'OP20', action: 'start' }],
  ['weld-1', '07:31', { code: 'ACT:PAUSE', action: 'pause' }],
  ['weld-1', '07:46', { code: 'WO-A/OP20', workOrder: 'WO-A', operation: 'OP20', action: 'start' }],
  [
    'weld-1',
    '08:06',
    { code: 'WO-A/OP20', workOrder: 'WO-A', operation: 'OP20', action: 'complete' },
  ],
  ['bench-1', '08:09', { code: 'E9', action: 'login', operator: '9' }],
  [
    'bench-1',
    '08:10',
    { code: 'WO-A/OP30', workOrder: 'WO-A', operation: 'OP30', action: 'start' },
  ],
  ['bench-1', '09:00', { code: 'QTY:400', action: 'good', quantity: 400 }],
];

/** Seqs per gateway in edge-time order (scan order kept for equal times). */
function numbered(list: Msg[]): Msg[] {
  const sorted = [...list].sort((a, b) => a.ts - b.ts);
  const next: Record<Gateway, number> = { 'gw-line': 1, 'gw-scan': 1 };
  return sorted.map((m) => ({ ...m, seq: next[m.gateway]++ }));
}

const scans = (): Msg[] =>
  scanList.map(([machine, hhmm, body]) => ({
    gateway: 'gw-scan',
    machine,
    kind: 'scan',
    ts: at(hhmm),
    seq: 0,
    body,
  }));

/** The heartbeat of an edge that declares none: ingest then holds a state 180 s. */
const EDGE_HEARTBEAT_MS = 2 * MIN;

/**
 * The session as an edge with a 2 min heartbeat sends it: a state when it changes and again
 * every 2 minutes, the counter totals every 5 minutes whether they changed or not.
 */
export function withHeartbeats(): Msg[] {
  const out: Msg[] = scans();
  for (const machine of Object.keys(timelines)) {
    const first = at(timelines[machine]![0]![0]);
    let last: { body: StateBody; ts: number } | undefined;
    for (let ts = first; ts < SHIFT_TO; ts += MIN) {
      const body = stateAt(machine, ts);
      if (last && last.body === body && ts - last.ts < EDGE_HEARTBEAT_MS) continue;
      out.push({ gateway: 'gw-line', machine, kind: 'state', ts, seq: 0, body });
      last = { body, ts };
    }
    for (let ts = first; ts < SHIFT_TO; ts += 5 * MIN)
      out.push({
        gateway: 'gw-line',
        machine,
        kind: 'count',
        ts,
        seq: 0,
        body: totalsAt(machine, ts),
      });
  }
  return numbered(out);
}

/**
 * The same session from an edge that sends on change, declaring `heartbeatMs` in its birth:
 * a state when it changes and again after `heartbeatMs` unchanged (as the edge re-sends),
 * totals only when they changed.
 */
export function onChange(heartbeatMs: number): Msg[] {
  const out: Msg[] = scans();
  for (const machine of Object.keys(timelines)) {
    const first = at(timelines[machine]![0]![0]);
    let lastState: { body: StateBody; ts: number } | undefined;
    let lastTotals = '';
    for (let ts = first; ts < SHIFT_TO; ts += MIN) {
      const body = stateAt(machine, ts);
      if (!lastState || lastState.body !== body || ts - lastState.ts >= heartbeatMs) {
        out.push({ gateway: 'gw-line', machine, kind: 'state', ts, seq: 0, body });
        lastState = { body, ts };
      }
      if ((ts - first) % (5 * MIN) !== 0) continue;
      const totals = totalsAt(machine, ts);
      if (JSON.stringify(totals) === lastTotals) continue;
      out.push({ gateway: 'gw-line', machine, kind: 'count', ts, seq: 0, body: totals });
      lastTotals = JSON.stringify(totals);
    }
  }
  return numbered(out);
}

export const topicOf = (m: Msg) => topics.machine(SITE, m.gateway, m.machine, m.kind);
export const encode = (m: Msg) =>
  encodePayload(m.kind, { v: 1, seq: m.seq, ts: m.ts, ...m.body } as PayloadByKind[Kind]);

/** A seeded shuffle (a linear congruential generator: the same order every run). */
export function shuffled<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  let s = seed;
  const random = () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
