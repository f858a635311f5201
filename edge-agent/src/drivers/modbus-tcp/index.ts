import { modbusTcpDeviceSchema, type ModbusTcpDeviceConfig } from '@takt/protocol';
import { ModbusDriver } from '../modbus/driver';
import type { DriverModule } from '../types';

/** Modbus TCP (MBAP framing over a TCP socket). */
export const modbusTcpDriver: DriverModule<ModbusTcpDeviceConfig> = {
  kind: 'modbus-tcp',
  configSchema: modbusTcpDeviceSchema,
  create: (config, ctx) =>
    new ModbusDriver(
      config,
      ctx,
      async (client) => {
        // Bounded connect: an unanswered SYN must not hold the poll loop for the OS's ~2 minutes.
        await client.connectTCP(config.host, { port: config.port, timeout: config.timeoutMs });
        // TCP_NODELAY: each request is one small packet that should leave at once.
        const socket = (
          client as unknown as { _port?: { _client?: { setNoDelay?(v: boolean): void } } }
        )._port?._client;
        socket?.setNoDelay?.(true);
      },
      { closeOnTimeout: true },
    ),
};
