import { z } from 'zod';
import { ADMIN, defineRoute } from './contract';
import { idSchema, timeOut } from './common';

/**
 * Remote configuration of a gateway (docs/decisions.md "Issue 25 — remote configuration"):
 * each push is a version row, signed and sent on the gateway's cmd topic; the row is the audit
 * trail (who, when, and what the gateway answered).
 */
export const gatewayConfigVersionSchema = z
  .object({
    version: z.number().int().positive(),
    sha256: z.string(),
    status: z
      .enum(['pending', 'applied', 'refused', 'superseded'])
      .describe(
        '`pending`: sent, no answer yet (an offline gateway gets it when it is back); `superseded`: a newer version was pushed before this one was answered',
      ),
    error: z.string().nullable().describe("the gateway's exact reason when refused"),
    createdBy: z.string().nullable(),
    createdAt: timeOut,
    resultAt: timeOut.nullable(),
  })
  .meta({ id: 'GatewayConfigVersion' });
export type GatewayConfigVersion = z.output<typeof gatewayConfigVersionSchema>;

export const gatewayConfigViewSchema = z
  .object({
    gatewayId: z.string(),
    /** The text of the newest version pushed, whatever its status. */
    yaml: z.string().nullable(),
    appliedVersion: z.number().int().nullable(),
    history: z.array(gatewayConfigVersionSchema).describe('newest first'),
  })
  .meta({ id: 'GatewayConfig' });
export type GatewayConfigView = z.output<typeof gatewayConfigViewSchema>;

const params = z.strictObject({ id: idSchema });

export const gatewayConfigRoutes = {
  get: defineRoute({
    method: 'GET',
    path: '/api/gateways/:id/config',
    access: ADMIN,
    summary: "A gateway's pushed configs: the newest text and every version with its result",
    params,
    response: gatewayConfigViewSchema,
    errors: { 400: 'a bad gateway id' },
  }),
  put: defineRoute({
    method: 'PUT',
    path: '/api/gateways/:id/config',
    access: ADMIN,
    summary: 'Push a new config (the YAML text) to a gateway over its cmd topic',
    description:
      "Validated with the schema `npm run validate-configs` uses; on success stored as the next version, signed with the server key (TAKT_CONFIG_SIGNING_KEY_FILE) and published retained on the gateway's cmd topic. The gateway's answer (applied, or refused with its reason) arrives later: read it with GET.",
    params,
    rawBody: { 'application/yaml': { type: 'string' }, 'text/plain': { type: 'string' } },
    status: 201,
    response: gatewayConfigVersionSchema,
    responseDescription: 'the new version, pending',
    errors: {
      400: 'the gateway id is wrong, the body is not text, or the gateway id in the YAML is another one',
      413: 'the text is over 256 KiB',
      422: 'the YAML fails validation; the message lists each problem with its line and field',
      503: 'no signing key is configured (TAKT_CONFIG_SIGNING_KEY_FILE)',
    },
  }),
};
