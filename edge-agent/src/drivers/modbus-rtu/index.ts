import { modbusRtuDeviceSchema, type ModbusRtuDeviceConfig } from '@takt/protocol';
import { ModbusDriver } from '../modbus/driver';
import type { DriverModule } from '../types';

/**
 * Modbus RTU over a serial line (RS-485 through a USB adapter or the Pi's UART). The
 * buffered port waits for whole frames, which matters at low baud rates.
 */
export const modbusRtuDriver: DriverModule<ModbusRtuDeviceConfig> = {
  kind: 'modbus-rtu',
  configSchema: modbusRtuDeviceSchema,
  create: (config, ctx) =>
    new ModbusDriver(
      config,
      ctx,
      async (client) => {
        await client.connectRTUBuffered(config.path, {
          baudRate: config.baudRate,
          dataBits: config.dataBits,
          parity: config.parity,
          stopBits: config.stopBits,
        });
      },
      { closeOnTimeout: false },
    ),
};
