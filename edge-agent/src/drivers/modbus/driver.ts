import type { ModbusRtuDeviceConfig, ModbusTcpDeviceConfig } from '@takt/protocol';
import ModbusRTU from 'modbus-serial';
import type { DriverContext, PolledDriver, TagReading } from '../types';
import { decodeRegisters, registerWidth, ROLLOVER, scaleValue } from './codec';
import { planReads, type ReadBlock } from './plan';

type ModbusDeviceConfig = ModbusTcpDeviceConfig | ModbusRtuDeviceConfig;
type Client = InstanceType<typeof ModbusRTU>;

/** Opens the transport (TCP socket or serial line) on a fresh client. */
export type OpenTransport = (client: Client) => Promise<void>;

function describe(error: unknown): string {
  const e = error as { message?: string; modbusCode?: number };
  return e.modbusCode !== undefined
    ? `Modbus exception ${e.modbusCode}: ${e.message}`
    : String(e.message ?? error);
}

/** An exception reply means the device is there and answered. */
const isExceptionReply = (error: unknown) =>
  (error as { modbusCode?: number }).modbusCode !== undefined;
const isTimeout = (error: unknown) =>
  (error as { name?: string }).name === 'TransactionTimedOutError';

export interface TransportOptions {
  /**
   * Whether a timeout closes the link. On TCP it does (a late reply would desynchronise
   * transaction ids). On an RS-485 bus a silent unit says nothing about the others: the
   * port stays open and only that unit's tags read bad.
   */
  closeOnTimeout: boolean;
}

/**
 * One Modbus device, over TCP or RTU: block reads planned once, each retried, decoded per
 * tag. A failed block gives bad readings for its tags only; a lost link closes the client
 * so that the runner reconnects (and transaction ids resynchronise).
 */
export class ModbusDriver implements PolledDriver {
  readonly mode = 'poll';
  private client: Client = new ModbusRTU();
  private readonly blocks: ReadBlock[];
  private open = false;

  constructor(
    private readonly config: ModbusDeviceConfig,
    private readonly ctx: DriverContext,
    private readonly openTransport: OpenTransport,
    private readonly transport: TransportOptions,
  ) {
    this.blocks = planReads(config.tags, config.unitId, config.maxGap);
  }

  get connected(): boolean {
    return this.open;
  }

  async connect(): Promise<void> {
    await this.disconnect();
    this.client = new ModbusRTU();
    this.client.setTimeout(this.config.timeoutMs);
    await this.openTransport(this.client);
    this.open = true;
  }

  async read(): Promise<TagReading[]> {
    const readings: TagReading[] = [];
    for (const block of this.blocks) {
      if (!this.open) {
        readings.push(...this.bad(block));
        continue;
      }
      try {
        const data = await this.readBlockWithRetries(block);
        readings.push(...this.decode(block, data, this.ctx.now()));
      } catch (error) {
        this.ctx.log.warn(
          {
            device: this.config.id,
            unitId: block.unitId,
            area: block.area,
            start: block.start,
            length: block.length,
            err: describe(error),
          },
          'modbus read failed',
        );
        const keepOpen =
          isExceptionReply(error) || (isTimeout(error) && !this.transport.closeOnTimeout);
        if (!keepOpen) await this.disconnect();
        readings.push(...this.bad(block));
      }
    }
    return readings;
  }

  private async readBlockWithRetries(block: ReadBlock): Promise<readonly (number | boolean)[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.readBlock(block);
      } catch (error) {
        // An exception reply will not change on retry; a timeout might.
        if (isExceptionReply(error) || attempt >= this.config.retries) throw error;
      }
    }
  }

  private async readBlock(block: ReadBlock): Promise<readonly (number | boolean)[]> {
    this.client.setID(block.unitId);
    switch (block.area) {
      case 'coil':
        return (await this.client.readCoils(block.start, block.length)).data; // FC01
      case 'discrete':
        return (await this.client.readDiscreteInputs(block.start, block.length)).data; // FC02
      case 'holding':
        return (await this.client.readHoldingRegisters(block.start, block.length)).data; // FC03
      case 'input':
        return (await this.client.readInputRegisters(block.start, block.length)).data; // FC04
    }
  }

  private decode(block: ReadBlock, data: readonly (number | boolean)[], ts: number): TagReading[] {
    return block.tags.map((tag) => {
      const at = tag.address - block.start;
      const bitArea = block.area === 'coil' || block.area === 'discrete';
      const raw = bitArea
        ? Boolean(data[at])
        : decodeRegisters(data.slice(at, at + registerWidth(tag)) as number[], tag);
      const value = typeof raw === 'number' ? scaleValue(raw, tag.scale, tag.offset) : raw;
      // A float register holding NaN or Infinity (0xFFFF 0xFFFF) is no measurement.
      if (typeof value === 'number' && !Number.isFinite(value))
        return { tag: tag.name, value: null, quality: 'bad', ts };
      const reading: TagReading = { tag: tag.name, value, quality: 'good', ts };
      const rollover = ROLLOVER[tag.type];
      if (tag.channel.startsWith('count.') && rollover !== undefined) reading.rollover = rollover;
      return reading;
    });
  }

  private bad(block: ReadBlock): TagReading[] {
    const ts = this.ctx.now();
    return block.tags.map((tag) => ({ tag: tag.name, value: null, quality: 'bad', ts }));
  }

  /**
   * Close the link, bounded: modbus-serial only calls back from close() on a socket that is
   * still open, so a link the PLC already dropped would otherwise never resolve.
   */
  private disconnect(timeoutMs = 1000): Promise<void> {
    const client = this.client;
    this.open = false;
    if (!client.isOpen) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      try {
        client.close(() => {
          clearTimeout(timer);
          resolve();
        });
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  async stop(timeoutMs = 2000): Promise<void> {
    const timedOut = await Promise.race([
      this.disconnect().then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), timeoutMs).unref()),
    ]);
    if (timedOut)
      this.ctx.log.warn({ device: this.config.id }, 'modbus connection did not close in time');
  }
}
