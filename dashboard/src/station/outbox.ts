/**
 * The station's offline outbox (docs/decisions.md "Issue 17 — the operator station"): every
 * action is a code kept in IndexedDB with its own time and a sequence number of this browser
 * (the device), until the server acknowledges it. The server stores a scan once per
 * (device, seq), so sending again after a lost answer or a reload never counts twice; an
 * action is removed only once acked, so none is lost on a reload either.
 *
 * The queue logic (`Outbox`) is apart from the storage (`OutboxStore`) and the network
 * (`SendScans`), both passed in, so it is unit-tested without a browser.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export interface PendingAction {
  /** This device's sequence number: the idempotency key with the device id. */
  seq: number;
  station: string;
  code: string;
  /** When the action was made on the device (ms since the epoch). */
  ts: number;
}

export interface OutboxStore {
  /** This browser's device id, made once and kept. */
  deviceId(): Promise<string>;
  /** Keeps an action under the next sequence number (one transaction: no two share one). */
  add(action: Omit<PendingAction, 'seq'>): Promise<PendingAction>;
  /** What waits, oldest first. */
  pending(): Promise<PendingAction[]>;
  remove(seqs: readonly number[]): Promise<void>;
}

interface StationDb extends DBSchema {
  meta: { key: string; value: string | number };
  pending: { key: number; value: PendingAction };
}

export const DB_NAME = 'takt-station';

/** 16 hex digits from the browser's random source (`randomUUID` needs a secure page). */
export function newDeviceId(random: (bytes: Uint8Array) => Uint8Array): string {
  return [...random(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The store in the browser's IndexedDB, through `idb` (one database per browser). */
export async function openIdbStore(name = DB_NAME): Promise<OutboxStore> {
  const db: IDBPDatabase<StationDb> = await openDB<StationDb>(name, 1, {
    upgrade(database) {
      database.createObjectStore('meta');
      database.createObjectStore('pending', { keyPath: 'seq' });
    },
  });
  return {
    async deviceId() {
      const tx = db.transaction('meta', 'readwrite');
      let id = await tx.store.get('device');
      if (typeof id !== 'string') {
        id = newDeviceId((bytes) => crypto.getRandomValues(bytes));
        await tx.store.put(id, 'device');
      }
      await tx.done;
      return id;
    },
    async add(action) {
      const tx = db.transaction(['meta', 'pending'], 'readwrite');
      const meta = tx.objectStore('meta');
      const last = await meta.get('seq');
      const seq = (typeof last === 'number' ? last : 0) + 1;
      await meta.put(seq, 'seq');
      const kept = { ...action, seq };
      await tx.objectStore('pending').put(kept);
      await tx.done;
      return kept;
    },
    async pending() {
      return db.getAll('pending');
    },
    async remove(seqs) {
      const tx = db.transaction('pending', 'readwrite');
      await Promise.all([...seqs.map((seq) => tx.store.delete(seq)), tx.done]);
    },
  };
}

/**
 * Sends one station's actions. `acked` are the seqs the server made durable; `refused` means
 * the server will never take this batch (a 4xx other than the credential's), so it is
 * dropped and said on screen rather than blocking the queue for ever; `unauthorized` keeps
 * it until someone signs in again; a network error or a 5xx is retried.
 */
export type SendResult =
  | { kind: 'acked'; seqs: number[] }
  | { kind: 'refused'; status: number; message: string }
  | { kind: 'unauthorized'; status: number }
  | { kind: 'failed'; message: string };

export type SendScans = (
  station: string,
  device: string,
  scans: readonly { seq: number; ts: number; code: string }[],
) => Promise<SendResult>;

export interface OutboxStatus {
  waiting: number;
  /** Sending stopped until the credential is renewed. */
  unauthorized: boolean;
  /** The last failure, while retrying. */
  lastError: string | undefined;
  /** Actions the server refused as a whole (never retried), newest last. */
  refused: { action: PendingAction; message: string }[];
}

export const FIRST_RETRY_MS = 1_000;
export const MAX_RETRY_MS = 30_000;
export const BATCH = 100;

/** The delay before retry `attempt` (1, 2, …): 1 s doubling to 30 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1));
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const browserTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class Outbox {
  private sending: Promise<void> | undefined;
  private again = false;
  private attempt = 0;
  private timer: unknown;
  private stopped = false;
  private status: OutboxStatus = {
    waiting: 0,
    unauthorized: false,
    lastError: undefined,
    refused: [],
  };
  private readonly listeners = new Set<(status: OutboxStatus) => void>();

  constructor(
    private readonly store: OutboxStore,
    private readonly send: SendScans,
    private readonly timers: Timers = browserTimers,
  ) {}

  /** Keeps the action first, then tries to send it; resolves once it is kept. */
  async enqueue(station: string, code: string, ts = Date.now()): Promise<PendingAction> {
    const action = await this.store.add({ station, code, ts });
    await this.refreshCount();
    void this.flush();
    return action;
  }

  /** Sends what waits now (the connection came back, the page loaded, a retry is due). */
  flush(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.sending) {
      this.again = true;
      return this.sending;
    }
    this.sending = (async () => {
      do {
        this.again = false;
        this.clearTimer();
        await this.drain();
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.sending = undefined;
    });
    return this.sending;
  }

  /** Resolves when no send is under way (tests, and the page before it reports). */
  idle(): Promise<void> {
    return this.sending ?? Promise.resolve();
  }

  /** A new credential: unauthorized actions may go again. */
  resume(): void {
    this.update({ unauthorized: false });
    void this.flush();
  }

  subscribe(listener: (status: OutboxStatus) => void): () => void {
    this.listeners.add(listener);
    listener(this.status);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }

  private async drain(): Promise<void> {
    const device = await this.store.deviceId();
    for (;;) {
      const waiting = await this.store.pending();
      this.update({ waiting: waiting.length });
      if (waiting.length === 0 || this.status.unauthorized || this.stopped) return;
      const station = waiting[0]!.station;
      const batch = waiting.filter((a) => a.station === station).slice(0, BATCH);
      const result = await this.send(
        station,
        device,
        batch.map(({ seq, ts, code }) => ({ seq, ts, code })),
      ).catch((error: unknown): SendResult => ({ kind: 'failed', message: String(error) }));
      if (result.kind === 'acked') {
        this.attempt = 0;
        const sent = new Set(batch.map((a) => a.seq));
        const acked = result.seqs.filter((seq) => sent.has(seq));
        await this.store.remove(acked);
        this.update({ lastError: undefined });
        // An answer that acks none of what was sent would loop: retry later instead.
        if (acked.length === 0) return this.retryLater('the server acknowledged nothing');
        continue;
      }
      if (result.kind === 'refused') {
        await this.store.remove(batch.map((a) => a.seq));
        this.update({
          refused: [
            ...this.status.refused,
            ...batch.map((action) => ({ action, message: result.message })),
          ].slice(-20),
        });
        continue;
      }
      if (result.kind === 'unauthorized') {
        this.update({ unauthorized: true, lastError: `HTTP ${result.status}` });
        return;
      }
      return this.retryLater(result.message);
    }
  }

  private retryLater(message: string): void {
    this.attempt += 1;
    this.update({ lastError: message });
    if (this.stopped) return;
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      void this.flush();
    }, retryDelayMs(this.attempt));
  }

  private async refreshCount(): Promise<void> {
    this.update({ waiting: (await this.store.pending()).length });
  }

  private update(change: Partial<OutboxStatus>): void {
    this.status = { ...this.status, ...change };
    for (const listener of this.listeners) listener(this.status);
  }
}
