import { z } from 'zod';
import { idSchema } from '../ids';
import { sparkplugIdSchema } from '../sparkplug-topics';
import { modbusRtuDeviceSchema, modbusTcpDeviceSchema } from './devices/modbus';
import { opcuaDeviceSchema } from './devices/opcua';
import { serialScannerDeviceSchema } from './devices/serial-scanner';
import { simulatedDeviceSchema } from './devices/simulated';

export * from './devices/common';
export * from './devices/modbus';
export * from './devices/opcua';
export * from './devices/serial-scanner';
export * from './devices/simulated';

/**
 * One gateway's config: `firmware-configs/<gateway>.yaml`. Strict: an unknown key is an
 * error, so a typo never silently turns a setting off. Reference: docs/config-reference.md.
 * Each driver's device schema lives in `devices/`; this union is the one list of them.
 */
export const deviceConfigSchema = z.discriminatedUnion('driver', [
  modbusTcpDeviceSchema,
  modbusRtuDeviceSchema,
  opcuaDeviceSchema,
  serialScannerDeviceSchema,
  simulatedDeviceSchema,
]);
export type DeviceConfig = z.output<typeof deviceConfigSchema>;
export type DriverKind = DeviceConfig['driver'];

/**
 * The gateway as a Sparkplug B edge node (docs/wire.md "Sparkplug B out"): `also` publishes
 * Sparkplug beside Takt's own JSON, `only` instead of it (then nothing reaches ingest's
 * exactly-once path). Each machine is a Sparkplug device of the node.
 */
export const gatewaySparkplugSchema = z.strictObject({
  mode: z.enum(['also', 'only']).default('also'),
  group: sparkplugIdSchema,
  /** The edge node id; default the gateway id. */
  node: sparkplugIdSchema.optional(),
});

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
      /**
       * PEM file of the CA that signed the broker's TLS certificate (mqtts:// or wss:// to a
       * broker with the plant's own CA). Absent: the system's trusted CAs.
       */
      caFile: z.string().min(1).optional(),
      keepaliveS: z.number().int().min(5).max(3600).default(30),
      /** Publishes waiting for the broker's PUBACK at once. */
      maxInflight: z.number().int().min(1).max(1000).default(100),
    }),
    /** Where the gateway keeps its persisted `seq`, its OPC UA certificate (and later its disk queue). */
    stateDir: z.string().min(1).default('.takt/edge'),
    /** Store-and-forward (issue 4): every message is on disk before it is sent. */
    queue: z
      .strictObject({
        /** Folder of the segment files; default `<stateDir>/<gateway id>/queue`. */
        dir: z.string().min(1).optional(),
        /** Size limit on disk; past it the oldest messages are dropped and counted (`lost`). */
        maxBytes: z
          .number()
          .int()
          .min(64 * 1024)
          .default(256 * 1024 * 1024),
        segmentBytes: z
          .number()
          .int()
          .min(4 * 1024)
          .default(4 * 1024 * 1024),
        overflow: z.literal('drop-oldest').default('drop-oldest'),
        /** `always`: fsync every append (safest, wears an SD card); `interval`: every fsyncIntervalMs. */
        fsync: z.enum(['always', 'interval']).default('interval'),
        fsyncIntervalMs: z.number().int().min(10).max(60_000).default(1000),
        /** No ack from ingest this long after a send: send again from the oldest unacked. */
        ackTimeoutMs: z.number().int().min(1000).max(600_000).default(30_000),
        /** Messages sent and not yet acknowledged at once. */
        maxUnacked: z.number().int().min(1).max(100_000).default(2000),
        /** Bound on sends per second (replay after an outage included), so replay never floods. */
        maxSendPerS: z.number().int().min(1).max(100_000).default(2000),
      })
      .prefault({}),
    /** How often unchanged values, states and counters are re-sent (report by exception's heartbeat). */
    heartbeatMs: z.number().int().min(1000).max(3_600_000).default(60_000),
    sparkplug: gatewaySparkplugSchema.optional(),
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
