import { modbusTcpDeviceSchema, type ModbusTcpDeviceConfig } from '@takt/protocol';
import ModbusRTU from 'modbus-serial';
import type { Driver, DriverContext, DriverModule, TagReading } from '../types';
import { decodeRegisters, REGISTER_WIDTH, ROLLOVER, scaleValue } from './codec';
import { planReads, type ReadBlock } from './plan';

/** Errors after which the TCP connection is no longer usable and must be reopened. */
function isConnectionLost(error: unknown): boolean {
  const e = error as { name?: string; errno?: string; code?: string; modbusCode?: number };
  if (e.modbusCode !== undefined) return false; // the device answered with an exception
  return true; // timeouts, resets and closed ports: reconnect to resynchronise transaction ids
}

function describe(error: unknown): string {
  const e = error as { message?: string; modbusCode?: number };
  return e.modbusCode !== undefined
    ? `Modbus exception ${e.modbusCode}: ${e.message}`
    : String(e.message ?? error);
}

class ModbusTcpDriver implements Driver {
  private client = new ModbusRTU();
  private readonly blocks: ReadBlock[];
  private open = false;

  constructor(
    private readonly config: ModbusTcpDeviceConfig,
    private readonly ctx: DriverContext,
  ) {
    this.blocks = planReads(config.tags);
  }

  get connected(): boolean {
    return this.open;
  }

  async connect(): Promise<void> {
    this.client = new ModbusRTU();
    this.client.setTimeout(this.config.timeoutMs);
    await this.client.connectTCP(this.config.host, { port: this.config.port });
    this.client.setID(this.config.unitId);
    const socket = (
      this.client as unknown as { _port?: { _client?: { setNoDelay?(v: boolean): void } } }
    )._port?._client;
    socket?.setNoDelay?.(true);
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
        const result =
          block.area === 'holding'
            ? await this.client.readHoldingRegisters(block.start, block.length) // Modbus FC03
            : await this.client.readInputRegisters(block.start, block.length); // Modbus FC04
        readings.push(...this.decode(block, result.data, this.ctx.now()));
      } catch (error) {
        this.ctx.log.warn(
          {
            device: this.config.id,
            area: block.area,
            start: block.start,
            length: block.length,
            err: describe(error),
          },
          'modbus read failed',
        );
        if (isConnectionLost(error)) await this.disconnect();
        readings.push(...this.bad(block));
      }
    }
    return readings;
  }

  private decode(block: ReadBlock, data: readonly number[], ts: number): TagReading[] {
    return block.tags.map((tag) => {
      const at = tag.address - block.start;
      const raw = decodeRegisters(
        data.slice(at, at + REGISTER_WIDTH[tag.type]),
        tag.type,
        tag.wordOrder,
      );
      const reading: TagReading = {
        tag: tag.name,
        value: scaleValue(raw, tag.scale, tag.offset),
        quality: 'good',
        ts,
      };
      const rollover = ROLLOVER[tag.type];
      if (tag.channel.startsWith('count.') && rollover !== undefined) reading.rollover = rollover;
      return reading;
    });
  }

  private bad(block: ReadBlock): TagReading[] {
    const ts = this.ctx.now();
    return block.tags.map((tag) => ({ tag: tag.name, value: null, quality: 'bad', ts }));
  }

  private disconnect(): Promise<void> {
    this.open = false;
    return new Promise((resolve) => {
      try {
        this.client.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  async stop(timeoutMs = 2000): Promise<void> {
    await Promise.race([this.disconnect(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }
}

export const modbusTcpDriver: DriverModule<ModbusTcpDeviceConfig> = {
  kind: 'modbus-tcp',
  configSchema: modbusTcpDeviceSchema,
  create: (config, ctx) => new ModbusTcpDriver(config, ctx),
};
