import type { Logger } from 'pino';
import type { Driver, TagReading } from './drivers/types';

/** Reconnect backoff: 1 s, 2 s, 4 s ... capped at 30 s. */
export function backoffMs(failures: number, baseMs = 1000, maxMs = 30_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
}

/**
 * Polls one device on its own timer, so that a slow or dead device never stalls another.
 * A device that cannot be reached still yields its (bad-quality) readings every poll.
 */
export class DeviceRunner {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;
  private nextConnectAt = 0;
  private running: Promise<void> = Promise.resolve();

  constructor(
    readonly deviceId: string,
    private readonly driver: Driver,
    private readonly pollIntervalMs: number,
    private readonly onReadings: (readings: TagReading[]) => void,
    private readonly onConnectionChange: () => void,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  get connected(): boolean {
    return this.driver.connected;
  }

  start(): void {
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = this.now();
      this.running = this.cycle().finally(() =>
        this.schedule(Math.max(0, this.pollIntervalMs - (this.now() - started))),
      );
    }, delayMs);
  }

  private async cycle(): Promise<void> {
    const wasConnected = this.driver.connected;
    if (!wasConnected && this.now() >= this.nextConnectAt) {
      try {
        await this.driver.connect();
        this.failures = 0;
        this.log.info({ device: this.deviceId }, 'device connected');
      } catch (error) {
        this.failures++;
        this.nextConnectAt = this.now() + backoffMs(this.failures);
        if (this.failures === 1 || this.failures % 10 === 0) {
          this.log.warn(
            { device: this.deviceId, failures: this.failures, err: (error as Error).message },
            'device unreachable',
          );
        }
      }
    }
    if (this.stopped) return;
    const readings = await this.driver.read();
    if (this.driver.connected !== wasConnected) this.onConnectionChange();
    this.onReadings(readings);
  }

  async stop(timeoutMs = 2000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.race([this.running, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    await this.driver.stop(timeoutMs);
  }
}
