import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  commandTopics,
  configResultSchema,
  configSigningText,
  parseCommandResultTopic,
  type ConfigCommand,
} from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { recordGatewayConfigResult } from '../queries/gateway-configs';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The server's Ed25519 private key (PKCS#8 PEM); the path is logged, the key never. */
export function loadSigningKey(file: string): KeyObject {
  const key = createPrivateKey(readFileSync(file, 'utf8'));
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(
      `${file} is a ${key.asymmetricKeyType} key; the config signing key must be Ed25519`,
    );
  return key;
}

/** The signed command (docs/decisions.md "Issue 25 — remote configuration"). */
export function signedConfigCommand(
  key: KeyObject,
  site: string,
  gatewayId: string,
  version: number,
  yaml: string,
  now: number,
): ConfigCommand {
  const sha256 = sha256Hex(yaml);
  const signature = sign(
    null,
    Buffer.from(configSigningText(site, gatewayId, version, sha256)),
    key,
  );
  return { v: 1, ts: now, version, yaml, sha256, signature: signature.toString('base64') };
}

export interface ConfigCommandLink {
  /** Publish retained on the gateway's cmd topic: a gateway offline now gets it when back. */
  publish(site: string, gatewayId: string, command: ConfigCommand): Promise<void>;
  stop(timeoutMs?: number): Promise<void>;
}

/** Ingest's MQTT side of remote configuration: commands out, results into gateway_configs. */
export function startConfigCommandLink(opts: {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  clientId: string;
  pool: Pool;
  log: Logger;
}): ConfigCommandLink {
  const client: MqttClient = mqtt.connect(opts.url, {
    clientId: opts.clientId,
    username: opts.username,
    password: opts.password,
    clean: false, // results sent while ingest restarts are kept for it
    reconnectPeriod: 2000,
  });
  client.on('connect', () => {
    client.subscribe(commandTopics.allResults('config'), { qos: 1 }, (error) => {
      if (error) opts.log.error({ err: error.message }, 'config result subscription failed');
    });
  });
  client.on('error', (error) =>
    opts.log.warn({ err: error.message }, 'mqtt error (config commands)'),
  );
  client.on('message', (topic, payload) => {
    const where = parseCommandResultTopic(topic);
    if (!where || payload.length === 0) return;
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      body = undefined;
    }
    const result = configResultSchema.safeParse(body);
    if (!result.success) {
      opts.log.warn({ topic }, 'ignored a malformed config result');
      return;
    }
    const { version, status, error } = result.data;
    recordGatewayConfigResult(opts.pool, {
      gatewayId: where.gatewayId,
      version,
      status,
      error: error ?? null,
    }).then(
      (changed) =>
        opts.log.info(
          { gateway: where.gatewayId, version, status, changed },
          'gateway config result',
        ),
      (err: Error) => opts.log.error({ err: err.message }, 'config result not stored'),
    );
  });
  return {
    async publish(site, gatewayId, command) {
      await client.publishAsync(
        commandTopics.command(site, gatewayId, 'config'),
        JSON.stringify(command),
        {
          qos: 1,
          retain: true,
        },
      );
    },
    async stop(timeoutMs = 2000) {
      await Promise.race([client.endAsync(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    },
  };
}
