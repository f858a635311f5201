import { z } from 'zod';

/**
 * The wire of signed agent updates, free of node: modules so the dashboard can import it
 * (protocol/src/agent-update.ts adds the verifier; docs/decisions.md "Issue 25 — signed agent
 * updates (server)"): ingest publishes a retained command on `…/<gw>/cmd/update` naming a package it stores, the
 * gateway downloads it with the command's token, checks the release key's Ed25519 signature
 * and answers one result per step on `…/<gw>/cmd-result/update`.
 */

/** The architectures an install package is built for (scripts/package-edge.ts ARCHES). */
export const AGENT_ARCHES = ['arm64', 'armv7', 'x64'] as const;
export type AgentArch = (typeof AGENT_ARCHES)[number];

/** Node's `process.arch` -> the package's arch name; undefined for a machine no package fits. */
export function agentArchOf(nodeArch: string): AgentArch | undefined {
  switch (nodeArch) {
    case 'arm64':
      return 'arm64';
    case 'arm':
      return 'armv7';
    case 'x64':
      return 'x64';
    default:
      return undefined;
  }
}

export const agentArchSchema = z.enum(AGENT_ARCHES);

/** An agent version as package.json holds it: `1.2.3` with an optional `-pre.1` tail. */
export const AGENT_VERSION_PATTERN = /^\d{1,9}\.\d{1,9}\.\d{1,9}(?:-[0-9A-Za-z.-]{1,40})?$/;
export const agentVersionSchema = z
  .string()
  .regex(AGENT_VERSION_PATTERN, 'version must look like 1.2.3 or 1.2.3-rc.1');

export const sha256HexSchema = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits');

/** Base64 of a 64-byte Ed25519 signature is 88 characters; leave room, refuse junk. */
export const packageSignatureSchema = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'signature must be base64');

/** The largest package the upload route accepts and a gateway downloads. */
export const MAX_AGENT_PACKAGE_BYTES = 200 * 1024 * 1024;

/** How long the new agent has to come online before the updater rolls back. */
export const CONFIRM_WITHIN_S = { min: 30, max: 3600, default: 120 } as const;

/** `dist/takt-edge-<version>-<arch>.tar.gz`; its signature file adds `.sig`. */
export function agentPackageFileName(version: string, arch: AgentArch): string {
  return `takt-edge-${version}-${arch}.tar.gz`;
}

/** The download route's path; the command's url is this under the ingest's public origin. */
export function agentPackageDownloadPath(sha256: string): string {
  return `/api/agent-packages/${sha256}/download`;
}

/**
 * The exact text the release key signs (UTF-8, `\n`, no trailing newline): the version and
 * the architecture are bound too, so a package renamed to another arch or version fails.
 */
export function packageSignedText(version: string, arch: string, sha256: string): string {
  return `takt-edge-package/v1\n${version}\n${arch}\n${sha256}`;
}

/** The `.sig` file written beside each archive by `npm run package:edge -- --sign-key …`. */
export const packageSignatureFileSchema = z.object({
  v: z.literal(1),
  version: agentVersionSchema,
  arch: agentArchSchema,
  sha256: sha256HexSchema,
  signature: packageSignatureSchema,
});
export type PackageSignatureFile = z.infer<typeof packageSignatureFileSchema>;

/** Command, ingest -> gateway, `…/<gw>/cmd/update`, QoS 1, retained. */
export const updateCommandSchema = z.object({
  v: z.literal(1),
  ts: z.number().int().nonnegative(),
  /** gateway_updates.id, echoed in every result. */
  id: z.number().int().positive(),
  version: agentVersionSchema,
  arch: agentArchSchema,
  sha256: sha256HexSchema,
  size: z.number().int().positive().max(MAX_AGENT_PACKAGE_BYTES),
  signature: packageSignatureSchema,
  /** Absolute; the token in its query allows exactly this package until the update ends. */
  url: z.string().url().max(2048),
  confirmWithinS: z
    .number()
    .int()
    .min(CONFIRM_WITHIN_S.min)
    .max(CONFIRM_WITHIN_S.max)
    .default(CONFIRM_WITHIN_S.default),
});
export type UpdateCommand = z.infer<typeof updateCommandSchema>;
export type UpdateCommandInput = z.input<typeof updateCommandSchema>;

/** The steps of one update, in order; the last three are final. */
export const UPDATE_STEPS = [
  'received',
  'downloaded',
  'verified',
  'staged',
  'installing',
  'online',
  'rolled-back',
  'refused',
] as const;
export type UpdateStep = (typeof UPDATE_STEPS)[number];
export const FINAL_UPDATE_STEPS = ['online', 'rolled-back', 'refused'] as const;
export type FinalUpdateStep = (typeof FINAL_UPDATE_STEPS)[number];
export function isFinalUpdateStep(step: UpdateStep): step is FinalUpdateStep {
  return (FINAL_UPDATE_STEPS as readonly string[]).includes(step);
}

/** Result, gateway -> ingest, `…/<gw>/cmd-result/update`, QoS 1, not retained, one per step. */
export const updateResultSchema = z.object({
  v: z.literal(1),
  ts: z.number().int().nonnegative(),
  id: z.number().int().positive(),
  version: z.string().max(64),
  step: z.enum(UPDATE_STEPS),
  ok: z.boolean(),
  /** The version of the agent sending this result. */
  agentVersion: z.string().max(64),
  /** Plain English made on the gateway, only when ok is false; stored and shown as is. */
  error: z.string().max(8000).optional(),
});
export type UpdateResult = z.infer<typeof updateResultSchema>;

/** gateway_updates.status: `sent` until the first step, `superseded` when a newer push replaced it. */
export const UPDATE_STATUSES = [
  'sent',
  'running',
  'online',
  'rolled-back',
  'refused',
  'superseded',
] as const;
export type UpdateStatus = (typeof UPDATE_STATUSES)[number];
