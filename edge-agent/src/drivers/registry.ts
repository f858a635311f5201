import type { DeviceConfig } from '@takt/protocol';
import { EDGE_ERRORS, EdgeError } from '../errors';
import { modbusTcpDriver } from './modbus-tcp';
import type { Driver, DriverContext, DriverModule } from './types';

type Registry = {
  [K in DeviceConfig['driver']]: DriverModule<Extract<DeviceConfig, { driver: K }>>;
};

/** kind -> driver (STYLE 1). A new protocol adds one folder and one line here. */
export const drivers: Registry = {
  'modbus-tcp': modbusTcpDriver,
};

export function createDriver(config: DeviceConfig, ctx: DriverContext): Driver {
  const module = drivers[config.driver] as DriverModule<DeviceConfig> | undefined;
  if (!module)
    throw new EdgeError(
      'EDGE_ERR_UNKNOWN_DRIVER',
      EDGE_ERRORS.EDGE_ERR_UNKNOWN_DRIVER(config.driver),
    );
  return module.create(config, ctx);
}
