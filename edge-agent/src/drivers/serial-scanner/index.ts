import { serialScannerDeviceSchema, type SerialScannerDeviceConfig } from '@takt/protocol';
import type { DriverModule } from '../types';
import { SerialScannerDriver } from './scanner-driver';

/** Barcode scanners that send one code per line on a serial port (see README.md here). */
export const serialScannerDriver: DriverModule<SerialScannerDeviceConfig> = {
  kind: 'serial-scanner',
  configSchema: serialScannerDeviceSchema,
  create: (config, ctx) => new SerialScannerDriver(config, ctx),
};
