import type { DeviceConfig, MachineState, Quality, ReadingValue } from '@takt/protocol';
import type { Logger } from 'pino';
import type { z } from 'zod';

/** What every driver's tags share, whatever the protocol (address, node id...). */
export interface TagBase {
  name: string;
  machine?: string | undefined;
  channel: 'metric' | 'state' | 'count.good' | 'count.reject';
  unit?: string | undefined;
  states?: Readonly<Record<string, MachineState>> | undefined;
}

/** One tag's value from one poll (STYLE 6): a failed read is a reading with bad quality. */
export interface TagReading {
  tag: string;
  value: ReadingValue;
  quality: Quality;
  /** Source time, epoch ms. */
  ts: number;
  /** For counters: the modulus at which the register wraps (65536 for 16 bits). */
  rollover?: number;
}

/** One device connection. `read()` never throws for a device fault: it returns bad readings. */
export interface Driver {
  readonly connected: boolean;
  connect(): Promise<void>;
  read(): Promise<TagReading[]>;
  stop(timeoutMs?: number): Promise<void>;
}

export interface DriverContext {
  log: Logger;
  now: () => number;
}

/** One contract per protocol (STYLE 1): `drivers/<kind>/index.ts` exports this. */
export interface DriverModule<C extends DeviceConfig = DeviceConfig> {
  kind: C['driver'];
  configSchema: z.ZodType<C>;
  create(config: C, ctx: DriverContext): Driver;
}
