import type { DeviceConfig, DriverKind } from '@takt/protocol';
import { EDGE_ERRORS, EdgeError } from '../errors';
import type { Driver, DriverContext, DriverModule } from './types';

type Loader<K extends DriverKind> = () => Promise<
  DriverModule<Extract<DeviceConfig, { driver: K }>>
>;
// Partial while drivers land one by one; every kind in the config schema gets its line.
type Registry = { [K in DriverKind]?: Loader<K> };

/**
 * kind -> driver (docs/architecture.md "Conventions" 1). A new protocol adds one folder and one line here. Drivers load
 * on first use: a gateway with only Modbus devices never loads node-opcua (~40 MB on a Pi).
 */
export const drivers: Registry = {
  'modbus-tcp': async () => (await import('./modbus-tcp')).modbusTcpDriver,
  'modbus-rtu': async () => (await import('./modbus-rtu')).modbusRtuDriver,
  opcua: async () => (await import('./opcua')).opcuaDriver,
  'serial-scanner': async () => (await import('./serial-scanner')).serialScannerDriver,
  simulated: async () => (await import('./simulated')).simulatedDriver,
};

export async function loadDriver(kind: DriverKind): Promise<DriverModule<DeviceConfig>> {
  const load = drivers[kind] as (() => Promise<DriverModule<DeviceConfig>>) | undefined;
  if (!load)
    throw new EdgeError('EDGE_ERR_UNKNOWN_DRIVER', EDGE_ERRORS.EDGE_ERR_UNKNOWN_DRIVER(kind));
  return load();
}

export async function createDriver(config: DeviceConfig, ctx: DriverContext): Promise<Driver> {
  return (await loadDriver(config.driver)).create(config, ctx);
}
