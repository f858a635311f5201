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

/**
 * A pinned server certificate: its SHA-1 (40 hex digits) or SHA-256 (64) thumbprint, colons
 * and a `sha1:` / `sha256:` prefix allowed; kept as lower-case hex without colons.
 */
export const opcuaThumbprintSchema = z
  .string()
  .transform((s) =>
    s
      .trim()
      .toLowerCase()
      .replace(/^sha(1|256):/, '')
      .replaceAll(':', ''),
  )
  .refine(
    (s) => /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(s),
    'a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) thumbprint, colons allowed',
  );

/**
 * Which server certificates the device accepts (docs/config-reference.md "OPC UA"): pinned
 * thumbprints, certificates (or the CAs that signed them) in a folder, or, only when said,
 * the first one seen, recorded and pinned from then on.
 */
export const opcuaTrustSchema = z.strictObject({
  thumbprints: z.array(opcuaThumbprintSchema).min(1).optional(),
  /** PEM or DER files: server certificates, or CA certificates that signed them. */
  trustedFolder: z.string().min(1).optional(),
  /** Accept the first certificate seen (logged with its thumbprint) and pin it. */
  trustOnFirstUse: z.boolean().default(false),
});
export type OpcuaTrustConfig = z.output<typeof opcuaTrustSchema>;

/** `securityMode: None` or `securityPolicy: None` written in the config: no certificate is judged. */
export const unsecured = (device: { securityMode?: string; securityPolicy?: string }) =>
  device.securityMode === 'None' || device.securityPolicy === 'None';

export const opcuaDeviceSchema = z
  .strictObject({
    ...deviceBaseShape,
    driver: z.literal('opcua'),
    endpointUrl: z.string().regex(/^opc\.tcp:\/\//, 'must start with opc.tcp://'),
    /** Absent: the most secure mode the server offers (never None unless written here). */
    securityMode: z.enum(OPCUA_SECURITY_MODES).optional(),
    /** Absent: the most secure policy the server offers with the mode. */
    securityPolicy: z.enum(OPCUA_SECURITY_POLICIES).optional(),
    /** Which server certificates to accept; required unless `securityMode: None`. */
    trust: opcuaTrustSchema.optional(),
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
    const trust = device.trust;
    if (
      !unsecured(device) &&
      !(trust && (trust.thumbprints || trust.trustedFolder || trust.trustOnFirstUse))
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['trust'],
        message:
          'a secured connection needs trust: thumbprints, a trustedFolder, or trustOnFirstUse: true (or write securityMode: None)',
      });
    }
    if (
      device.securityMode !== undefined &&
      device.securityPolicy !== undefined &&
      (device.securityMode === 'None') !== (device.securityPolicy === 'None')
    ) {
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
