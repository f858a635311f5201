import type { Logger } from 'pino';
import type { Driver, PolledDriver, ReadingSink } from './drivers/types';

/** Reconnect backoff: 1 s, 2 s, 4 s ... capped at 30 s. */
export function backoffMs(failures: number, baseMs = 1000, maxMs = 30_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
}

/**
 * Runs one device on its own timer (polled drivers) or lets it push (OPC UA, scanners), so
 * that a slow or dead device never stalls another. A polled device that cannot be reached
 * still yields its bad-quality readings every poll, and is reconnected with backoff.
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
    private readonly sink: ReadingSink,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  get connected(): boolean {
    return this.driver.connected;
  }

  start(): void {
    if (this.driver.mode === 'push') {
      this.running = this.driver.start(this.sink).catch((error: Error) => {
        this.log.error(
          { device: this.deviceId, err: error.message },
          'device driver failed to start',
        );
      });
      return;
    }
    this.schedule(this.driver, 0);
  }

  private schedule(driver: PolledDriver, delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = this.now();
      this.running = this.cycle(driver)
        .catch((error: Error) =>
          this.log.error({ device: this.deviceId, err: error.message }, 'poll failed'),
        )
        .finally(() =>
          this.schedule(driver, Math.max(0, this.pollIntervalMs - (this.now() - started))),
        );
    }, delayMs);
  }

  private async cycle(driver: PolledDriver): Promise<void> {
    const wasConnected = driver.connected;
    if (!wasConnected && this.now() >= this.nextConnectAt) {
      try {
        await driver.connect();
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
    const readings = await driver.read();
    if (driver.connected !== wasConnected) this.sink.connection(driver.connected);
    this.sink.readings(readings);
  }

  async stop(timeoutMs = 2000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // Half the budget for the poll in flight, half for closing the driver.
    if (this.driver.mode === 'poll') {
      await Promise.race([this.running, new Promise((r) => setTimeout(r, timeoutMs / 2).unref())]);
    }
    await this.driver.stop(timeoutMs / 2);
  }
}
