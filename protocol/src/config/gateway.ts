import { z } from 'zod';
import { idSchema } from '../ids';
import { machineStateSchema } from '../payloads';

/**
 * One gateway's config: `firmware-configs/<gateway>.yaml`. Strict: an unknown key is an
 * error, so a typo never silently turns a setting off. Reference: docs/config-reference.md.
 */

export const TAG_CHANNELS = ['metric', 'state', 'count.good', 'count.reject'] as const;
export const MODBUS_AREAS = ['holding', 'input'] as const;
export const MODBUS_TYPES = ['uint16', 'int16', 'uint32', 'int32', 'float32'] as const;

export const modbusTagSchema = z.strictObject({
  name: idSchema,
  /** Overrides the device's machine. */
  machine: idSchema.optional(),
  channel: z.enum(TAG_CHANNELS),
  area: z.enum(MODBUS_AREAS).default('holding'),
  address: z.number().int().min(0).max(65535),
  type: z.enum(MODBUS_TYPES).default('uint16'),
  /** Word order of 32-bit types: `big` = high word first (Modbus convention). */
  wordOrder: z.enum(['big', 'little']).default('big'),
  scale: z.number().default(1),
  offset: z.number().default(0),
  unit: z.string().max(16).optional(),
  /** For `channel: state`: PLC code -> machine state. Codes not listed map to `unknown`. */
  states: z
    .record(z.string().regex(/^-?\d+$/, 'state codes are integers'), machineStateSchema)
    .optional(),
});
export type ModbusTagConfig = z.output<typeof modbusTagSchema>;

const deviceBase = {
  id: idSchema,
  /** The machine this device's tags belong to, unless a tag names its own. */
  machine: idSchema.optional(),
  pollIntervalMs: z.number().int().min(50).max(3_600_000).default(1000),
};

export const modbusTcpDeviceSchema = z
  .strictObject({
    ...deviceBase,
    driver: z.literal('modbus-tcp'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(502),
    unitId: z.number().int().min(0).max(255).default(1),
    timeoutMs: z.number().int().min(50).max(60_000).default(1000),
    tags: z.array(modbusTagSchema).min(1),
  })
  .superRefine((device, ctx) => {
    device.tags.forEach((tag, i) => {
      if (!tag.machine && !device.machine) {
        ctx.addIssue({
          code: 'custom',
          path: ['tags', i, 'machine'],
          message: 'no machine: set it on the tag or on the device',
        });
      }
      if (tag.channel === 'state' && !tag.states) {
        ctx.addIssue({
          code: 'custom',
          path: ['tags', i, 'states'],
          message: 'a state tag needs a `states` map of PLC code -> state',
        });
      }
    });
  });
export type ModbusTcpDeviceConfig = z.output<typeof modbusTcpDeviceSchema>;

export const deviceConfigSchema = z.discriminatedUnion('driver', [modbusTcpDeviceSchema]);
export type DeviceConfig = z.output<typeof deviceConfigSchema>;

export const gatewayConfigSchema = z
  .strictObject({
    gateway: z.strictObject({
      id: idSchema,
      site: idSchema,
      name: z.string().max(128).optional(),
    }),
    mqtt: z.strictObject({
      url: z
        .string()
        .regex(/^(mqtts?|wss?|tcp):\/\//, 'must start with mqtt://, mqtts://, ws:// or wss://'),
      username: z.string().min(1).optional(),
      /** Name of the environment variable holding the password: secrets never sit in this file. */
      passwordEnv: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/)
        .default('TAKT_MQTT_PASSWORD'),
      keepaliveS: z.number().int().min(5).max(3600).default(30),
      /** Publishes waiting for the broker's PUBACK at once. */
      maxInflight: z.number().int().min(1).max(1000).default(100),
    }),
    /** Where the gateway keeps its persisted `seq` (and later its disk queue). */
    stateDir: z.string().min(1).default('.takt/edge'),
    /** How often counters and state are re-sent even when unchanged (heartbeat). */
    heartbeatMs: z.number().int().min(1000).max(3_600_000).default(60_000),
    devices: z.array(deviceConfigSchema).min(1),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.devices.forEach((device, i) => {
      if (seen.has(device.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['devices', i, 'id'],
          message: `duplicate device id "${device.id}"`,
        });
      }
      seen.add(device.id);
    });
  });
export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
