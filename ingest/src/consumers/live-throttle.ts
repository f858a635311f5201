/**
 * How long a run asked for at `nowMs` waits: none when the last run started at least
 * `minIntervalMs` ago (leading edge), else until `minIntervalMs` after that start.
 */
export function throttleDelayMs(lastStartMs: number, nowMs: number, minIntervalMs: number): number {
  return Math.max(0, lastStartMs + minIntervalMs - nowMs);
}

export interface ThrottleOptions {
  /** Runs start at least this far apart (and never overlap). */
  minIntervalMs: number;
  run: () => Promise<void>;
  /** A run that threw; the throttle carries on (the caller decides whether to ask again). */
  onError: (error: unknown) => void;
  now?: () => number;
}

/**
 * Leading-edge throttle: the first request after a quiet spell runs at once; requests while
 * a run is under way or within `minIntervalMs` of the last start fold into one run at
 * `lastStart + minIntervalMs` (or when the running one ends, if later). So a change waits at
 * most one interval, and runs come at most once per interval: the live path's bound on
 * updates per screen with no fixed tick to wait for.
 */
export class LeadingThrottle {
  private lastStartMs = Number.NEGATIVE_INFINITY;
  private requested = false;
  private running = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: ThrottleOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Ask for a run; several asks before it starts make one run. */
  request(): void {
    if (this.stopped) return;
    this.requested = true;
    this.schedule();
  }

  /** No run starts after this; one under way finishes on its own. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (!this.requested || this.running || this.timer || this.stopped) return;
    const delayMs = throttleDelayMs(this.lastStartMs, this.now(), this.opts.minIntervalMs);
    if (delayMs === 0) {
      this.start();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.start();
    }, delayMs);
  }

  private start(): void {
    if (this.stopped) return;
    this.requested = false;
    this.running = true;
    this.lastStartMs = this.now();
    let done: Promise<void>;
    try {
      done = this.opts.run();
    } catch (error) {
      done = Promise.reject(error);
    }
    done.catch(this.opts.onError).finally(() => {
      this.running = false;
      this.schedule();
    });
  }
}
