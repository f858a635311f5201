import { z } from 'zod';
import { checkTags, deviceBaseShape, serialLineShape, tagBaseShape } from './common';

/** Register areas and their read function codes (Modbus Application Protocol v1.1b3, 6.1-6.4). */
export const MODBUS_AREAS = ['coil', 'discrete', 'holding', 'input'] as const;
export const MODBUS_TYPES = [
  'bool',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'float32',
  'float64',
  'string',
] as const;

export const modbusTagSchema = z
  .strictObject({
    ...tagBaseShape,
    area: z.enum(MODBUS_AREAS).default('holding'),
    /** Zero-based address (register 40001 is holding address 0). */
    address: z.number().int().min(0).max(65535),
    type: z.enum(MODBUS_TYPES).default('uint16'),
    /** Registers a `string` spans (2 characters each). */
    length: z.number().int().min(1).max(125).optional(),
    /** Multi-register types: `big` = high word first (Modbus convention), `little` = word-swapped. */
    wordOrder: z.enum(['big', 'little']).default('big'),
    /** Bytes inside each register: `big` (Modbus convention) or `little` (byte-swapped). */
    byteOrder: z.enum(['big', 'little']).default('big'),
    /** Bit of a register (0 = least significant) for `type: bool` on holding/input. */
    bit: z.number().int().min(0).max(15).optional(),
    /** Overrides the device's unit id (a gateway in front of several slaves). */
    unitId: z.number().int().min(0).max(255).optional(),
  })
  .superRefine((tag, ctx) => {
    const bitArea = tag.area === 'coil' || tag.area === 'discrete';
    if (bitArea && tag.type !== 'bool') {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: `${tag.area} holds bits: type must be bool`,
      });
    }
    if (tag.type === 'string' && tag.length === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['length'],
        message: 'a string tag needs `length` (registers)',
      });
    }
  });
export type ModbusTagConfig = z.output<typeof modbusTagSchema>;

const modbusCommonShape = {
  ...deviceBaseShape,
  unitId: z.number().int().min(0).max(255).default(1),
  timeoutMs: z.number().int().min(50).max(60_000).default(1000),
  /** Extra attempts of a failed request before its tags read bad. */
  retries: z.number().int().min(0).max(5).default(1),
  pollIntervalMs: z.number().int().min(50).max(3_600_000).default(1000),
  /** Registers between two tags still read in one request (fewer round trips). */
  maxGap: z.number().int().min(0).max(100).default(8),
  tags: z.array(modbusTagSchema).min(1),
};

export const modbusTcpDeviceSchema = z
  .strictObject({
    ...modbusCommonShape,
    driver: z.literal('modbus-tcp'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(502),
  })
  .superRefine(checkTags);
export type ModbusTcpDeviceConfig = z.output<typeof modbusTcpDeviceSchema>;

export const modbusRtuDeviceSchema = z
  .strictObject({
    ...modbusCommonShape,
    ...serialLineShape,
    driver: z.literal('modbus-rtu'),
  })
  .superRefine(checkTags);
export type ModbusRtuDeviceConfig = z.output<typeof modbusRtuDeviceSchema>;
