import { missedCommits, ProgressRecorder } from './progress';
import type { BatchCommitted, Consumer, ConsumerContext, MachinesChanged } from './types';

export interface RetrySettings {
  /** Tries of one commit before the consumer gives up on it (default 6). */
  attempts: number;
  /** Wait after the first failure, doubled after each (default 250 ms). */
  baseDelayMs: number;
  /** The longest wait between tries (default 4 s). */
  maxDelayMs: number;
}

export const DEFAULT_CONSUMER_RETRY: RetrySettings = {
  attempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 4000,
};

/** One try of a consumer's work, for the test seam `beforeAttempt`. */
export interface ConsumerAttempt {
  consumer: string;
  attempt: number;
  /** The commit being handled; undefined for a catch-up at start. */
  event: BatchCommitted | undefined;
  /** Aborted when the runner stops: work still waiting should end. */
  signal: AbortSignal;
}

export interface RunnerOptions {
  /** The ingest instance: whose commits a durable consumer catches up (its MQTT client id). */
  instance: string;
  retry?: Partial<RetrySettings> | undefined;
  /**
   * Runs before each try of a consumer's work; a throw fails that try like the consumer's
   * own. The seam the integration tests inject failures and stops through.
   */
  beforeAttempt?: ((attempt: ConsumerAttempt) => void | Promise<void>) | undefined;
}

/** Per consumer, on `/api/ingest/metrics`. */
export interface ConsumerStats {
  /** Commits (and catch-ups) finished. */
  done: number;
  /** Tries that threw. */
  failures: number;
  /** Commits given up after every try (a durable consumer redoes them at the next start). */
  gaveUp: number;
  /** Commits waiting or under way (a coalescing consumer's waiting commits count once). */
  pending: number;
  lastError: string | null;
}

interface Lane {
  consumer: Consumer;
  tail: Promise<void>;
  stats: ConsumerStats;
  /** A commit was given up: progress stays before it, so the next start redoes it. */
  held: boolean;
  /** A coalescing consumer's commits that wait and have not started: later ones join them. */
  waiting?: { event: BatchCommitted; marks: Map<string, number> } | undefined;
}

/** One piece of a lane's work, taken when it starts. */
interface Job {
  event: BatchCommitted | undefined;
  marks: ReadonlyMap<string, number>;
  work: () => Promise<void>;
}

/**
 * Runs the consumers (consumers/index.ts) after each commit: one lane per consumer, commits
 * in order, a failed try retried with backoff, progress of durable consumers recorded in
 * consumer_progress, their missed commits caught up at start (docs/decisions.md "Issue 16 —
 * consumers").
 */
export class ConsumerRunner {
  private readonly lanes: Lane[] = [];
  private readonly abort = new AbortController();
  private readonly retry: RetrySettings;
  private ctx: ConsumerContext | undefined;
  /** One progress statement for the lanes that finish a commit together. */
  private progress: ProgressRecorder | undefined;

  constructor(
    private readonly factories: readonly (() => Consumer)[],
    private readonly opts: RunnerOptions,
  ) {
    this.retry = { ...DEFAULT_CONSUMER_RETRY, ...opts.retry };
  }

  /** Starts each consumer in list order; a durable one's missed commits are queued first. */
  async start(base: Omit<ConsumerContext, 'machinesChanged'>): Promise<void> {
    const ctx: ConsumerContext = { ...base, machinesChanged: (e) => this.machinesChanged(e) };
    this.ctx = ctx;
    this.progress = new ProgressRecorder(ctx.pool);
    for (const make of this.factories) {
      const consumer = make();
      await consumer.start(ctx);
      const lane: Lane = { consumer, tail: Promise.resolve(), stats: emptyStats(), held: false };
      this.lanes.push(lane);
      if (!consumer.catchUp) continue;
      const missed = await missedCommits(ctx.pool, consumer.name, this.opts.instance);
      if (!missed) continue;
      ctx.log.info(
        { consumer: consumer.name, from: new Date(missed.fromMs).toISOString() },
        'consumer catching up on commits it did not finish',
      );
      this.enqueue(lane, () => ({
        event: undefined,
        marks: missed.marks,
        work: () => consumer.catchUp!(missed),
      }));
    }
  }

  /**
   * A batch committed: every consumer gets it, in the order the writer lanes committed (each
   * lane's commits in its own order; docs/decisions.md "Issue 22 — writer lanes").
   */
  publish(event: BatchCommitted): void {
    const marks =
      event.commitId !== null && event.log !== null
        ? new Map([[event.log, event.commitId]])
        : NO_MARKS;
    for (const lane of this.lanes) {
      if (!lane.consumer.coalesces) {
        this.enqueue(lane, () => ({ event, marks, work: () => lane.consumer.onCommitted(event) }));
        continue;
      }
      // docs/decisions.md "Issue 22 — work orders coalesce waiting commits".
      if (lane.waiting) {
        lane.waiting.event = joinCommits(lane.waiting.event, event);
        for (const [log, id] of marks)
          lane.waiting.marks.set(log, Math.max(id, lane.waiting.marks.get(log) ?? id));
        continue;
      }
      const waiting = { event, marks: new Map(marks) };
      lane.waiting = waiting;
      this.enqueue(lane, () => {
        if (lane.waiting === waiting) lane.waiting = undefined;
        return {
          event: waiting.event,
          marks: waiting.marks,
          work: () => lane.consumer.onCommitted(waiting.event),
        };
      });
    }
  }

  /** Resolves when this consumer has handled every commit published so far. */
  async settled(name: string): Promise<void> {
    await this.lanes.find((l) => l.consumer.name === name)?.tail;
  }

  snapshot(): Record<string, ConsumerStats> {
    return Object.fromEntries(this.lanes.map((l) => [l.consumer.name, { ...l.stats }]));
  }

  /**
   * Lets queued work finish for half the budget, then aborts what is left (durable consumers
   * catch it up at the next start) and stops the consumers in reverse order.
   */
  async stop(timeoutMs: number): Promise<void> {
    const log = this.ctx?.log;
    const drained = await within(Promise.all(this.lanes.map((l) => l.tail)), timeoutMs / 2);
    if (!drained)
      log?.error({ pending: this.pendingByConsumer() }, 'consumers did not finish their commits');
    this.abort.abort(new Error('ingest is stopping'));
    for (const lane of [...this.lanes].reverse()) {
      const stopped = await within(lane.consumer.stop(), timeoutMs / 2 / this.lanes.length);
      if (!stopped) log?.error({ consumer: lane.consumer.name }, 'consumer did not stop in time');
    }
  }

  private machinesChanged(event: MachinesChanged): void {
    for (const lane of this.lanes) lane.consumer.onMachinesChanged?.(event);
  }

  private pendingByConsumer(): Record<string, number> {
    return Object.fromEntries(this.lanes.map((l) => [l.consumer.name, l.stats.pending]));
  }

  private enqueue(lane: Lane, take: () => Job): void {
    lane.stats.pending += 1;
    lane.tail = lane.tail
      .then(() => {
        const job = take();
        return this.attempt(lane, job.event, job.marks, job.work);
      })
      .finally(() => (lane.stats.pending -= 1));
  }

  /** Never throws: a lane's tail always resolves. */
  private async attempt(
    lane: Lane,
    event: BatchCommitted | undefined,
    marks: ReadonlyMap<string, number>,
    work: () => Promise<void>,
  ): Promise<void> {
    const { consumer, stats } = lane;
    const { log } = this.ctx!;
    const signal = this.abort.signal;
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await this.opts.beforeAttempt?.({ consumer: consumer.name, attempt, event, signal });
        await work();
        if (consumer.catchUp && marks.size > 0 && !lane.held)
          await this.progress!.record(consumer.name, marks);
        stats.done += 1;
        return;
      } catch (error) {
        stats.failures += 1;
        stats.lastError = (error as Error).message;
        const fields = { consumer: consumer.name, attempt, err: stats.lastError };
        if (signal.aborted) break;
        if (attempt >= this.retry.attempts) {
          stats.gaveUp += 1;
          lane.held = consumer.catchUp !== undefined;
          log.error(fields, 'consumer gave up on a commit');
          return;
        }
        const delayMs = Math.min(
          this.retry.maxDelayMs,
          this.retry.baseDelayMs * 2 ** (attempt - 1),
        );
        log.warn({ ...fields, retryInMs: delayMs }, 'consumer failed; retrying');
        await pause(delayMs, signal);
      }
    }
    log.warn(
      { consumer: consumer.name, durable: consumer.catchUp !== undefined },
      'consumer stopped before finishing a commit',
    );
  }
}

const NO_MARKS: ReadonlyMap<string, number> = new Map();

/**
 * Two commits as one, in commit order: what a coalescing consumer gets when the second came
 * while the first was still waiting (consumers/types.ts `coalesces`).
 */
export function joinCommits(a: BatchCommitted, b: BatchCommitted): BatchCommitted {
  return {
    commitId: b.commitId ?? a.commitId,
    log: b.commitId !== null ? b.log : a.log,
    committedAt: Math.max(a.committedAt, b.committedAt),
    machines: new Set([...a.machines, ...b.machines]),
    scans: [...a.scans, ...b.scans],
    counts: [...a.counts, ...b.counts],
    metrics: [...a.metrics, ...b.metrics],
    states: [...a.states, ...b.states],
    messages: [...a.messages, ...b.messages],
  };
}

function emptyStats(): ConsumerStats {
  return { done: 0, failures: 0, gaveUp: 0, pending: 0, lastError: null };
}

/** Resolves after `ms`, or at once when the signal aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** True when `work` settled within `ms`. */
export async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  const settled = work.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}
