import { performance } from 'node:perf_hooks';
import type { SerialScannerDeviceConfig } from '@takt/protocol';
import type { Logger } from 'pino';
import { SerialPort } from 'serialport';
import { backoffMs } from '../../device-runner';
import type { DriverContext, PushDriver, ReadingSink } from '../types';
import { LineSplitter, type RawLine } from './line-splitter';
import {
  maxLineBytes,
  parseLine,
  ScanDebouncer,
  scanRules,
  type GarbageReason,
  type LineResult,
  type ScanRules,
} from './scan-parser';

/** The fixed tag of a scanner's readings; the mapper sends channel `scan` for it. */
export const SCAN_TAG = 'scan';

/**
 * A scanner sends a whole code in one burst (128 characters take 133 ms at 9600 baud). A
 * partial line left without its terminator this long is noise, and is dropped so that it
 * cannot glue itself to the front of the next real scan.
 */
const UNTERMINATED_DROP_MS = 500;

/** Garbage is logged one line at a time at first, then every 100th, so noise cannot flood the log. */
const shouldLogGarbage = (count: number) => count <= 10 || count % 100 === 0;

function openPort(config: SerialScannerDeviceConfig): Promise<SerialPort> {
  const port = new SerialPort({
    path: config.path,
    baudRate: config.baudRate,
    dataBits: config.dataBits,
    parity: config.parity,
    stopBits: config.stopBits,
    autoOpen: false,
  });
  return new Promise((resolve, reject) =>
    port.open((error) => (error ? reject(error) : resolve(port))),
  );
}

function closePort(port: SerialPort): Promise<void> {
  if (!port.isOpen) return Promise.resolve();
  return new Promise((resolve, reject) =>
    port.close((error) => (error ? reject(error) : resolve())),
  );
}

const message = (error: unknown) => (error as Error)?.message ?? String(error);

/**
 * A line-based barcode scanner on a serial port (RS-232, or USB in CDC mode). Each good
 * line is one `scan` reading. The port going away (USB unplugged, socat killed) reports the
 * connection down and reopens with backoff (1 s doubling to 30 s) until it is back.
 */
export class SerialScannerDriver implements PushDriver {
  readonly mode = 'push';
  private readonly rules: ScanRules;
  private readonly splitter: LineSplitter;
  private readonly debouncer: ScanDebouncer;
  private readonly log: Logger;
  private sink: ReadingSink | undefined;
  private port: SerialPort | undefined;
  private opening: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private partialTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Failed opens since the port was last open; drives the backoff. */
  private failures = 0;
  /** What the sink was last told, so that it hears each change once. */
  private reported: boolean | undefined;
  private garbageLines = 0;

  constructor(
    private readonly config: SerialScannerDeviceConfig,
    private readonly ctx: DriverContext,
  ) {
    this.rules = scanRules(config);
    this.splitter = new LineSplitter(maxLineBytes(this.rules));
    this.debouncer = new ScanDebouncer(config.debounceMs);
    this.log = ctx.log.child({ device: config.id, path: config.path });
  }

  get connected(): boolean {
    return this.port?.isOpen ?? false;
  }

  async start(sink: ReadingSink): Promise<void> {
    if (this.sink) return;
    this.sink = sink;
    await this.attemptOpen();
  }

  async stop(timeoutMs = 2000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.partialTimer);
    const port = this.port;
    this.port = undefined; // its close event is then ours, not a lost device
    const closing = Promise.all([this.opening, port && closePort(port)]).then(
      () => true,
      (error: unknown) => {
        this.log.warn({ err: message(error) }, 'scanner port close failed');
        return true;
      },
    );
    const timeout = new Promise<false>((r) => setTimeout(() => r(false), timeoutMs).unref());
    if (!(await Promise.race([closing, timeout])))
      this.log.warn({ timeoutMs }, 'scanner port did not close in time');
  }

  private attemptOpen(): Promise<void> {
    this.retryTimer = undefined;
    this.opening = this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async open(): Promise<void> {
    if (this.stopping) return;
    let port: SerialPort;
    try {
      port = await openPort(this.config);
    } catch (error) {
      this.failures++;
      if (this.failures === 1 || this.failures % 10 === 0)
        this.log.warn({ failures: this.failures, err: message(error) }, 'cannot open scanner port');
      this.report(false, message(error));
      this.scheduleReopen();
      return;
    }
    if (this.stopping) {
      await closePort(port).catch(() => undefined); // stop() came while the port was opening
      return;
    }
    this.attach(port);
    if (this.failures > 0) this.log.info({ failures: this.failures }, 'scanner port back');
    else this.log.info('scanner port open');
    this.failures = 0;
    this.report(true);
  }

  private attach(port: SerialPort): void {
    this.port = port;
    this.splitter.discardPartial(); // bytes from before a reconnect belong to no line
    port.on('data', (chunk: Buffer) => this.onData(chunk));
    // Without a listener, an 'error' event would throw out of the agent.
    port.on('error', (error: Error) => this.log.warn({ err: error.message }, 'scanner port error'));
    port.on('close', (error: Error | null) => this.onClosed(port, error));
  }

  private onClosed(port: SerialPort, error: Error | null): void {
    if (port !== this.port) return;
    this.port = undefined;
    clearTimeout(this.partialTimer);
    const detail = error ? error.message : 'port closed';
    this.log.warn({ err: detail }, 'scanner port lost; reopening');
    this.report(false, detail);
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.stopping) return;
    this.retryTimer = setTimeout(() => void this.attemptOpen(), backoffMs(this.failures));
  }

  private report(connected: boolean, detail?: string): void {
    if (this.reported === connected) return;
    this.reported = connected;
    this.sink?.connection(connected, detail);
  }

  private onData(chunk: Buffer): void {
    for (const line of this.splitter.push(chunk)) this.onLine(line);
    clearTimeout(this.partialTimer);
    if (!this.splitter.pending) return;
    this.partialTimer = setTimeout(() => {
      if (this.splitter.discardPartial()) this.dropGarbage('unterminated');
    }, UNTERMINATED_DROP_MS);
    this.partialTimer.unref();
  }

  private onLine(line: RawLine): void {
    const result: LineResult =
      line.kind === 'too-long'
        ? { kind: 'garbage', reason: 'too-long' }
        : parseLine(line.bytes, this.rules);
    if (result.kind === 'empty') return;
    if (result.kind === 'garbage') {
      this.dropGarbage(result.reason, line.kind === 'line' ? line.bytes : undefined);
      return;
    }
    // Monotonic time: a Pi has no RTC and NTP steps its wall clock after boot.
    if (this.debouncer.isRepeat(result.code, performance.now())) {
      this.log.debug({ code: result.code }, 'repeated scan ignored');
      return;
    }
    this.sink?.readings([
      {
        tag: SCAN_TAG,
        value: result.code,
        quality: 'good',
        ts: this.ctx.now(),
        scan: result.fields,
      },
    ]);
  }

  private dropGarbage(reason: GarbageReason, bytes?: Buffer): void {
    this.garbageLines++;
    if (!shouldLogGarbage(this.garbageLines)) return;
    this.log.warn(
      {
        reason,
        garbageLines: this.garbageLines,
        bytes: bytes?.length,
        // The first bytes in hex tell a wrong baud rate or parity from a bad label.
        head: bytes?.subarray(0, 16).toString('hex'),
      },
      'scanner line dropped as garbage',
    );
  }
}
