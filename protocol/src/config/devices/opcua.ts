import { z } from 'zod';
import { checkTags, deviceBaseShape, tagBaseShape } from './common';

export const OPCUA_SECURITY_MODES = ['None', 'Sign', 'SignAndEncrypt'] as const;
export const OPCUA_SECURITY_POLICIES = [
  'None',
  'Basic256Sha256',
  'Aes128_Sha256_RsaOaep',
  'Aes256_Sha256_RsaPss',
] as const;

export const opcuaTagSchema = z.strictObject({
  ...tagBaseShape,
  /** e.g. `ns=2;s=Press01.Temperature` or `i=2258`. */
  nodeId: z.string().min(1),
  /** Monitored item: how often the server samples the value (OPC UA Part 4, 5.12). */
  samplingIntervalMs: z.number().int().min(0).max(3_600_000).default(1000),
  queueSize: z.number().int().min(1).max(1000).default(10),
  /** Server-side data change filter (OPC UA Part 4, 7.22.2); `percent` needs an EURange. */
  serverDeadband: z
    .strictObject({ type: z.enum(['absolute', 'percent']), value: z.number().min(0) })
    .optional(),
});
export type OpcuaTagConfig = z.output<typeof opcuaTagSchema>;

export const opcuaDeviceSchema = z
  .strictObject({
    ...deviceBaseShape,
    driver: z.literal('opcua'),
    endpointUrl: z.string().regex(/^opc\.tcp:\/\//, 'must start with opc.tcp://'),
    securityMode: z.enum(OPCUA_SECURITY_MODES).default('None'),
    securityPolicy: z.enum(OPCUA_SECURITY_POLICIES).default('None'),
    /** Username login; the password is read from the environment variable named here. */
    username: z.string().min(1).optional(),
    passwordEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .optional(),
    publishingIntervalMs: z.number().int().min(10).max(60_000).default(1000),
    /** How long to wait for the endpoint before the device reads bad. */
    connectTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    tags: z.array(opcuaTagSchema).min(1),
  })
  .superRefine((device, ctx) => {
    checkTags(device, ctx);
    if ((device.securityMode === 'None') !== (device.securityPolicy === 'None')) {
      ctx.addIssue({
        code: 'custom',
        path: ['securityPolicy'],
        message:
          'securityMode None goes with securityPolicy None, and Sign/SignAndEncrypt with a real policy',
      });
    }
    if (device.username && !device.passwordEnv) {
      ctx.addIssue({
        code: 'custom',
        path: ['passwordEnv'],
        message: 'a username needs passwordEnv (the variable holding its password)',
      });
    }
  });
export type OpcuaDeviceConfig = z.output<typeof opcuaDeviceSchema>;
