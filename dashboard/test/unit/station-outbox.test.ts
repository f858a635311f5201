import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  MAX_RETRY_MS,
  newDeviceId,
  openIdbStore,
  Outbox,
  retryDelayMs,
  type OutboxStatus,
  type SendResult,
  type SendScans,
  type Timers,
} from '../../src/station/outbox';

let dbCount = 0;
const freshStore = () => openIdbStore(`station-test-${++dbCount}`);

/** Timers run by hand: `due` lists what is scheduled, `fire()` runs it. */
function manualTimers() {
  const due: { fn: () => void; ms: number }[] = [];
  const timers: Timers = {
    set: (fn, ms) => {
      const entry = { fn, ms };
      due.push(entry);
      return entry;
    },
    clear: (handle) => {
      const i = due.indexOf(handle as (typeof due)[number]);
      if (i >= 0) due.splice(i, 1);
    },
  };
  return { timers, due, fire: () => due.splice(0).forEach((t) => t.fn()) };
}

/** A server that stores each (device, seq) once and answers what the test says. */
function fakeServer() {
  const stored = new Map<string, { station: string; code: string; ts: number }>();
  const calls: { station: string; seqs: number[] }[] = [];
  let answer: 'ok' | 'down' | 'lost-answer' | 401 | 400 = 'ok';
  const send: SendScans = async (station, device, scans): Promise<SendResult> => {
    calls.push({ station, seqs: scans.map((s) => s.seq) });
    if (answer === 'down') throw new TypeError('Failed to fetch');
    if (answer === 401) return { kind: 'unauthorized', status: 401 };
    if (answer === 400) return { kind: 'refused', status: 400, message: 'code too long' };
    for (const s of scans) {
      const key = `${device}/${s.seq}`;
      if (!stored.has(key)) stored.set(key, { station, code: s.code, ts: s.ts });
    }
    if (answer === 'lost-answer') throw new TypeError('network changed');
    return { kind: 'acked', seqs: scans.map((s) => s.seq) };
  };
  return {
    send,
    stored,
    calls,
    set: (a: typeof answer) => {
      answer = a;
    },
  };
}

function statusOf(outbox: Outbox): () => OutboxStatus {
  let last!: OutboxStatus;
  outbox.subscribe((s) => (last = s));
  return () => last;
}

describe('station outbox (docs/decisions.md "Issue 17 — the operator station")', () => {
  it('makes a device id once and numbers actions one by one across reopenings', async () => {
    const name = `station-test-${++dbCount}`;
    const store = await openIdbStore(name);
    const id = await store.deviceId();
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(await store.deviceId()).toBe(id);
    const a = await store.add({ station: 'assembly-01', code: 'E1001', ts: 1 });
    const b = await store.add({ station: 'assembly-01', code: 'QTY:5', ts: 2 });
    expect([a.seq, b.seq]).toEqual([1, 2]);
    // A reload: the same database opened again.
    const again = await openIdbStore(name);
    expect(await again.deviceId()).toBe(id);
    expect((await again.pending()).map((p) => p.code)).toEqual(['E1001', 'QTY:5']);
    expect((await again.add({ station: 'assembly-01', code: 'ACT:PAUSE', ts: 3 })).seq).toBe(3);
    await again.remove([1, 3]);
    expect((await again.pending()).map((p) => p.seq)).toEqual([2]);
  });

  it('gives distinct seqs to actions kept at the same moment', async () => {
    const store = await freshStore();
    const kept = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.add({ station: 's', code: `QTY:${i + 1}`, ts: i }),
      ),
    );
    expect(new Set(kept.map((k) => k.seq)).size).toBe(20);
  });

  it('sends an action with its own time, and forgets it once acked', async () => {
    const server = fakeServer();
    const outbox = new Outbox(await freshStore(), server.send, manualTimers().timers);
    const status = statusOf(outbox);
    await outbox.enqueue('assembly-01', 'E1001', 1_700_000_000_000);
    await outbox.flush();
    expect([...server.stored.values()]).toEqual([
      { station: 'assembly-01', code: 'E1001', ts: 1_700_000_000_000 },
    ]);
    expect(status().waiting).toBe(0);
  });

  it('keeps actions while offline, says how many wait, and sends them when back', async () => {
    const server = fakeServer();
    const clock = manualTimers();
    const store = await freshStore();
    const outbox = new Outbox(store, server.send, clock.timers);
    const status = statusOf(outbox);
    server.set('down');
    for (const code of ['QTY:1', 'QTY:2', 'REJ:1:burr']) await outbox.enqueue('a-1', code);
    await outbox.flush();
    expect(status().waiting).toBe(3);
    expect(status().lastError).toContain('Failed to fetch');
    // One retry is due, however many actions wait.
    expect(clock.due).toHaveLength(1);
    server.set('ok');
    // The connection returns (the online event): flushed at once, the retry timer cleared.
    await outbox.flush();
    expect(clock.due).toEqual([]);
    expect(status().waiting).toBe(0);
    expect([...server.stored.values()].map((s) => s.code)).toEqual([
      'QTY:1',
      'QTY:2',
      'REJ:1:burr',
    ]);
  });

  it('never applies twice when the answer is lost, nor loses an action on a reload', async () => {
    const server = fakeServer();
    const name = `station-test-${++dbCount}`;
    const first = new Outbox(await openIdbStore(name), server.send, manualTimers().timers);
    server.set('lost-answer');
    await first.enqueue('a-1', 'QTY:4');
    await first.flush();
    first.stop();
    // Reload: a new page opens the same database and sends again.
    server.set('ok');
    const second = new Outbox(await openIdbStore(name), server.send, manualTimers().timers);
    const status = statusOf(second);
    await second.flush();
    expect(server.calls.length).toBeGreaterThanOrEqual(2);
    expect(server.calls.every((c) => c.seqs.join() === '1')).toBe(true);
    expect(server.stored.size).toBe(1);
    expect(status().waiting).toBe(0);
  });

  it('retries with a delay doubling to 30 s', async () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(retryDelayMs)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
    const server = fakeServer();
    const clock = manualTimers();
    const outbox = new Outbox(await freshStore(), server.send, clock.timers);
    server.set('down');
    await outbox.enqueue('a-1', 'QTY:1');
    await outbox.idle();
    const delays = [clock.due[0]!.ms];
    for (let i = 0; i < 6; i++) {
      clock.fire();
      await outbox.idle();
      delays.push(clock.due[0]!.ms);
    }
    expect(delays.at(-1)).toBe(MAX_RETRY_MS);
    expect(delays.slice(0, 3)).toEqual([1_000, 2_000, 4_000]);
  });

  it('stops on an expired credential and goes on when resumed', async () => {
    const server = fakeServer();
    const clock = manualTimers();
    const outbox = new Outbox(await freshStore(), server.send, clock.timers);
    const status = statusOf(outbox);
    server.set(401);
    await outbox.enqueue('a-1', 'E1001');
    await outbox.flush();
    expect(status()).toMatchObject({ waiting: 1, unauthorized: true });
    expect(clock.due).toEqual([]);
    server.set('ok');
    outbox.resume();
    await outbox.flush();
    expect(status()).toMatchObject({ waiting: 0, unauthorized: false });
    expect(server.stored.size).toBe(1);
  });

  it('drops a batch the server refuses as a whole, and says so', async () => {
    const server = fakeServer();
    const outbox = new Outbox(await freshStore(), server.send, manualTimers().timers);
    const status = statusOf(outbox);
    server.set(400);
    await outbox.enqueue('a-1', 'X'.repeat(10));
    await outbox.flush();
    expect(status().waiting).toBe(0);
    expect(status().refused.map((r) => [r.action.code, r.message])).toEqual([
      ['XXXXXXXXXX', 'code too long'],
    ]);
  });

  it('sends each station its own actions', async () => {
    const server = fakeServer();
    const outbox = new Outbox(await freshStore(), server.send, manualTimers().timers);
    server.set('down');
    await outbox.enqueue('a-1', 'QTY:1');
    await outbox.enqueue('b-2', 'QTY:2');
    await outbox.enqueue('a-1', 'QTY:3');
    server.set('ok');
    await outbox.flush();
    const last = server.calls.slice(-2);
    expect(last).toEqual([
      { station: 'a-1', seqs: [1, 3] },
      { station: 'b-2', seqs: [2] },
    ]);
  });

  it('makes device ids of 16 hex digits from the random source', () => {
    expect(newDeviceId((b) => b.fill(0xab))).toBe('abababababababab');
  });
});
