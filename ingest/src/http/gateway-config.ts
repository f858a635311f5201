import type { KeyObject } from 'node:crypto';
import {
  ConfigError,
  MAX_CONFIG_BYTES,
  SERVER_MESSAGES,
  api,
  gatewayConfigSchema,
  renderMessage,
  type Message,
  parseYamlConfig,
  type GatewayConfig,
} from '@takt/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestLang } from '../alerts/text';
import {
  loadSigningKey,
  sha256Hex,
  signedConfigCommand,
  startConfigCommandLink,
} from '../fleet/config-commands';
import {
  insertGatewayConfig,
  pendingGatewayConfigs,
  readGatewayConfigs,
  versionView,
} from '../queries/gateway-configs';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

/**
 * `GET`/`PUT /api/gateways/:id/config`: remote configuration (docs/decisions.md "Issue 25 —
 * remote configuration"). A push is validated like `npm run validate-configs`, stored as the
 * next version, signed and published retained on the gateway's cmd topic; the gateway's answer
 * is written to the same row by the command link.
 */
export const gatewayConfigPlugin: IngestPlugin = (
  app,
  { pool, log, mqtt, configSigningKeyFile, plant },
) => {
  /** A refusal whose reason is a message, in the reader's language. */
  const refuse = (request: FastifyRequest, reply: FastifyReply, code: 400 | 503, why: Message) =>
    (reply as FastifyReply).code(code).send({
      error: code === 400 ? 'Bad Request' : 'Service Unavailable',
      code: 'INGEST_ERR_BAD_REQUEST',
      message: renderMessage(SERVER_MESSAGES, why, requestLang(request), {
        timeZone: plant?.site.timeZone ?? 'UTC',
      }),
      messageKey: why.key,
      messageParams: why.params ?? {},
    });
  let key: KeyObject | undefined;
  if (configSigningKeyFile) {
    key = loadSigningKey(configSigningKeyFile);
    log.info({ file: configSigningKeyFile }, 'config signing key loaded');
  }
  const link = startConfigCommandLink({
    ...mqtt,
    clientId: `${mqtt.clientId ?? 'takt-ingest'}-config`,
    pool,
    log: log.child({ part: 'config-commands' }),
  });
  app.addHook('onClose', () => link.stop(1000));

  const send = (gatewayId: string, site: string, version: number, yaml: string) => {
    if (!key) return;
    const command = signedConfigCommand(key, site, gatewayId, version, yaml, Date.now());
    // Not awaited: with the broker away MQTT.js keeps it, and the row stays pending.
    link
      .publish(site, gatewayId, command)
      .catch((error: Error) =>
        log.warn(
          { gateway: gatewayId, version, err: error.message },
          'config command not published',
        ),
      );
  };

  // A broker restarted without persistence forgot the retained commands: send them again.
  app.addHook('onReady', async () => {
    for (const row of await pendingGatewayConfigs(pool)) {
      const site = siteOf(row.yaml);
      if (site) send(row.gatewayId, site, row.version, row.yaml);
    }
  });

  app.addContentTypeParser(
    ['application/yaml', 'text/yaml', 'text/plain'],
    { parseAs: 'string', bodyLimit: MAX_CONFIG_BYTES },
    (_req, body, done) => done(null, body),
  );

  app.get('/api/gateways/:id/config', routeOf(api.gatewayConfig.get), async (request) => {
    const rows = await readGatewayConfigs(pool, request.params.id);
    return {
      gatewayId: request.params.id,
      yaml: rows[0]?.yaml ?? null,
      appliedVersion: rows.find((r) => r.status === 'applied')?.version ?? null,
      history: rows.map(versionView),
    };
  });

  app.put('/api/gateways/:id/config', routeOf(api.gatewayConfig.put), async (request, reply) => {
    const { id } = request.params;
    const { body } = request as { body: unknown };
    if (typeof body !== 'string' || body.trim() === '')
      return refuse(request, reply, 400, { key: 'gatewayConfig.notText' });
    let config: GatewayConfig;
    try {
      config = parseYamlConfig(`${id}.yaml`, body, gatewayConfigSchema);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return (reply as FastifyReply).code(422).send({
        error: 'Unprocessable Entity',
        code: 'INGEST_ERR_BAD_REQUEST',
        message: error.message,
      });
    }
    if (config.gateway.id !== id)
      return refuse(request, reply, 400, {
        key: 'gatewayConfig.otherGateway',
        params: { configured: config.gateway.id, gateway: id },
      });
    if (!key) return refuse(request, reply, 503, { key: 'gatewayConfig.noKey' });
    const createdBy = request.principal?.kind === 'user' ? request.principal.name : null;
    const row = await insertGatewayConfig(pool, {
      gatewayId: id,
      yaml: body,
      sha256: sha256Hex(body),
      createdBy,
    });
    log.info({ gateway: id, version: row.version, by: createdBy }, 'gateway config pushed');
    send(id, config.gateway.site, row.version, body);
    return reply.code(201).send(versionView(row));
  });
};

/** The site a stored (already validated) config names. */
function siteOf(yaml: string): string | undefined {
  try {
    return parseYamlConfig('stored.yaml', yaml, gatewayConfigSchema).gateway.site;
  } catch {
    return undefined;
  }
}
