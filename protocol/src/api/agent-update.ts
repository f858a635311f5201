import { z } from 'zod';
import {
  AGENT_ARCHES,
  CONFIRM_WITHIN_S,
  UPDATE_STATUSES,
  UPDATE_STEPS,
  sha256HexSchema,
} from '../agent-update-wire';
import { ADMIN, PUBLIC, defineRoute } from './contract';
import { idSchema, timeOut } from './common';

/**
 * Signed agent updates, the server side (docs/decisions.md "Issue 25 — signed agent updates
 * (server)"): packages uploaded by an admin, pushed to a gateway over its retained
 * `cmd/update`, each step the gateway reports stored and shown.
 */
export const agentPackageSchema = z
  .object({
    sha256: z.string(),
    version: z.string(),
    arch: z.enum(AGENT_ARCHES),
    size: z.number().int().describe('bytes'),
  })
  .meta({ id: 'AgentPackage' });
export type AgentPackage = z.output<typeof agentPackageSchema>;

export const agentPackageListedSchema = agentPackageSchema
  .extend({
    signature: z.string().describe('base64 Ed25519 signature of the release key'),
    uploadedBy: z.string().nullable(),
    uploadedAt: timeOut,
  })
  .meta({ id: 'AgentPackageListed' });
export type AgentPackageListed = z.output<typeof agentPackageListedSchema>;

export const gatewayUpdateStepSchema = z
  .object({
    step: z.enum(UPDATE_STEPS),
    ok: z.boolean(),
    error: z.string().nullable().describe("the gateway's own text (English), shown as is"),
    agentVersion: z.string().nullable().describe('the version of the agent that sent the step'),
    at: timeOut.describe('when ingest received it'),
  })
  .meta({ id: 'GatewayUpdateStep' });
export type GatewayUpdateStep = z.output<typeof gatewayUpdateStepSchema>;

export const gatewayUpdateSchema = z
  .object({
    id: z.number().int(),
    gatewayId: z.string(),
    sha256: z.string(),
    version: z.string(),
    arch: z.enum(AGENT_ARCHES),
    confirmWithinS: z.number().int(),
    status: z
      .enum(UPDATE_STATUSES)
      .describe(
        '`sent`: published, no step yet; `running`: steps arriving; `online`, `rolled-back`, `refused`: the final step; `superseded`: a newer update replaced it first',
      ),
    requestedBy: z.string().nullable(),
    requestedAt: timeOut,
    finishedAt: timeOut.nullable(),
    steps: z.array(gatewayUpdateStepSchema).describe('in the order they arrived'),
  })
  .meta({ id: 'GatewayUpdate' });
export type GatewayUpdate = z.output<typeof gatewayUpdateSchema>;

/** Checked in the handler, so a bad version or arch is refused with a message in the reader's language. */
export const agentPackageUploadQuerySchema = z.object({
  version: z.string().max(200).optional().describe('e.g. 0.1.1'),
  arch: z.string().max(200).optional().describe('arm64, armv7 or x64'),
  lang: z.string().max(20).optional(),
});

const packageParams = z.strictObject({ sha256: sha256HexSchema });
const gatewayParams = z.strictObject({ id: idSchema });

export const agentUpdateRoutes = {
  upload: defineRoute({
    method: 'POST',
    path: '/api/agent-packages',
    access: ADMIN,
    summary: 'Upload a signed agent package (the archive of `npm run package:edge`)',
    description:
      'The body is the raw `takt-edge-<version>-<arch>.tar.gz` (up to 200 MB), the header `X-Takt-Signature` the base64 `signature` of its `.sig` file. With TAKT_PACKAGE_SIGNING_PUB_FILE set the signature is checked against that public key before anything is stored; the gateway always checks it.',
    query: agentPackageUploadQuerySchema,
    rawBody: { 'application/gzip': { type: 'string', format: 'binary' } },
    status: 201,
    response: agentPackageSchema,
    errors: {
      400: 'a bad version or arch, no or a malformed signature header, an empty body, or a signature the configured public key refuses',
      413: 'the body is over 200 MB',
      415: 'the body is not application/gzip',
    },
  }),
  list: defineRoute({
    method: 'GET',
    path: '/api/agent-packages',
    access: ADMIN,
    summary: 'The uploaded agent packages, newest first',
    response: z.array(agentPackageListedSchema),
  }),
  download: defineRoute({
    method: 'GET',
    path: '/api/agent-packages/:sha256/download',
    access: PUBLIC,
    summary: "A package's bytes, for the gateway an update was pushed to",
    description:
      'No session: the `token` of the update command allows exactly that package until the update ends or 24 h pass. A session without a token is refused like a wrong token.',
    params: packageParams,
    query: z.object({ token: z.string().max(200).optional() }),
    response: z.custom<Uint8Array>((value) => value instanceof Uint8Array),
    gzip: true,
    errors: { 403: 'no token, a wrong one, or one whose update has ended or is older than 24 h' },
  }),
  push: defineRoute({
    method: 'POST',
    path: '/api/gateways/:id/update',
    access: ADMIN,
    summary: 'Push an uploaded package to a gateway (retained on its cmd/update topic)',
    params: gatewayParams,
    body: z.strictObject({
      sha256: sha256HexSchema,
      confirmWithinS: z
        .number()
        .int()
        .min(CONFIRM_WITHIN_S.min)
        .max(CONFIRM_WITHIN_S.max)
        .optional()
        .describe(
          'how long the new agent has to come online before the gateway rolls back (default 120)',
        ),
    }),
    status: 202,
    response: gatewayUpdateSchema,
    responseDescription: 'the update, sent',
    errors: {
      400: 'a bad body',
      404: 'no such gateway or package',
      409: 'the package is for another architecture than the gateway reports, or an update of this gateway is still running',
    },
  }),
  history: defineRoute({
    method: 'GET',
    path: '/api/gateways/:id/updates',
    access: ADMIN,
    summary: "A gateway's agent updates with their steps, newest first",
    params: gatewayParams,
    response: z.array(gatewayUpdateSchema),
  }),
};
