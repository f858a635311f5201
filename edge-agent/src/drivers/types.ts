import type { DeviceConfig, MachineState, Quality, ReadingValue, ScanFields } from '@takt/protocol';
import type { Logger } from 'pino';
import type { z } from 'zod';

/** What every driver's tags share, whatever the protocol (address, node id...). */
export interface TagBase {
  name: string;
  machine?: string | undefined;
  channel: 'metric' | 'state' | 'count.good' | 'count.reject' | 'scan';
  unit?: string | undefined;
  deadband?: number | undefined;
  states?: Readonly<Record<string, MachineState>> | undefined;
}

/** Fields a barcode pattern fills: one type with ingest's station codes (protocol/src/scan-codes.ts). */
export type { ScanFields } from '@takt/protocol';

/** One tag's value at one instant (docs/architecture.md "Conventions" 6): a failed read is a reading with bad quality. */
export interface TagReading {
  tag: string;
  value: ReadingValue;
  quality: Quality;
  /** Source time, epoch ms. */
  ts: number;
  /** For counters: the modulus at which the register wraps (65536 for 16 bits). */
  rollover?: number;
  /** For scans: what the code's pattern says it means. */
  scan?: ScanFields;
}

/** Where a driver delivers what it reads. */
export interface ReadingSink {
  readings(readings: TagReading[]): void;
  /** The device connection went up or down (the gateway status says so). */
  connection(connected: boolean, detail?: string): void;
}

/**
 * A device that is asked (Modbus): the runner connects, polls `read()` on its interval
 * and reconnects with backoff. `read()` never throws for a device fault: it returns bad readings.
 */
export interface PolledDriver {
  readonly mode: 'poll';
  readonly connected: boolean;
  connect(): Promise<void>;
  read(): Promise<TagReading[]>;
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * A device that tells (OPC UA subscriptions, scanners): `start()` opens it and returns
 * after the first attempt, whether or not it succeeded; from then on the driver delivers
 * readings and connection changes to the sink and reconnects by itself until `stop()`.
 */
export interface PushDriver {
  readonly mode: 'push';
  readonly connected: boolean;
  start(sink: ReadingSink): Promise<void>;
  stop(timeoutMs?: number): Promise<void>;
}

export type Driver = PolledDriver | PushDriver;

export interface DriverContext {
  log: Logger;
  now: () => number;
  /** The gateway's own folder (certificates and other state a driver keeps). */
  stateDir: string;
  /** Where secrets named by the config (`passwordEnv`) are looked up. */
  env: Readonly<Record<string, string | undefined>>;
}

/** One contract per protocol (docs/architecture.md "Conventions" 1): `drivers/<kind>/index.ts` exports this. */
export interface DriverModule<C extends DeviceConfig = DeviceConfig> {
  kind: C['driver'];
  configSchema: z.ZodType<C>;
  create(config: C, ctx: DriverContext): Driver;
}
