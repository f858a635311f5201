import {
  commandTopics,
  parseCommandResultTopic,
  updateResultSchema,
  type UpdateCommand,
} from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { recordStep } from './agent-update-store';

export interface UpdateCommandLink {
  /** Retained on the gateway's `cmd/update`: an offline gateway gets it when it is back. */
  publish(site: string, gatewayId: string, command: UpdateCommand): Promise<void>;
  /** Called after each step is stored (the page's live list). */
  onStep(listener: (gatewayId: string, updateId: number) => void): void;
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Ingest's MQTT side of agent updates (docs/decisions.md "Issue 25 — signed agent updates
 * (server)"): commands out, each step into gateway_update_steps. The gateway is the one of the
 * topic, never of the payload; a final step clears the retained command (an empty retained
 * publish) unless a newer update has replaced it already.
 */
export function startUpdateCommandLink(opts: {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  clientId: string;
  pool: Pool;
  log: Logger;
}): UpdateCommandLink {
  const { log, pool } = opts;
  const listeners: ((gatewayId: string, updateId: number) => void)[] = [];
  const client: MqttClient = mqtt.connect(opts.url, {
    clientId: opts.clientId,
    username: opts.username,
    password: opts.password,
    clean: false, // steps sent while ingest restarts are kept for it
    reconnectPeriod: 2000,
  });
  client.on('connect', () => {
    client.subscribe(commandTopics.allResults('update'), { qos: 1 }, (error) => {
      if (error) log.error({ err: error.message }, 'update result subscription failed');
    });
  });
  client.on('error', (error) => log.warn({ err: error.message }, 'mqtt error (update commands)'));

  const store = async (topic: string, payload: Buffer) => {
    const where = parseCommandResultTopic(topic);
    if (!where || where.kind !== 'update' || payload.length === 0) return;
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      body = undefined;
    }
    const result = updateResultSchema.safeParse(body);
    if (!result.success) {
      log.warn({ topic }, 'ignored a malformed update result');
      return;
    }
    const step = result.data;
    const outcome = await recordStep(pool, where.gatewayId, step);
    if (!outcome.stored) {
      log.info(
        { gateway: where.gatewayId, id: step.id, step: step.step, why: outcome.why },
        'update step not stored',
      );
      return;
    }
    log.info(
      { gateway: where.gatewayId, id: step.id, step: step.step, ok: step.ok },
      'gateway update step',
    );
    if (outcome.final && outcome.newest)
      await client.publishAsync(
        commandTopics.command(outcome.site, where.gatewayId, 'update'),
        '',
        {
          qos: 1,
          retain: true,
        },
      );
    for (const listener of listeners) listener(where.gatewayId, step.id);
  };
  // One at a time, in arrival order: the steps of an update are stored in the order sent.
  let chain: Promise<void> = Promise.resolve();
  client.on('message', (topic, payload) => {
    chain = chain
      .then(() => store(topic, payload))
      .catch((error: Error) => log.error({ err: error.message, topic }, 'update step not stored'));
  });

  return {
    async publish(site, gatewayId, command) {
      await client.publishAsync(
        commandTopics.command(site, gatewayId, 'update'),
        JSON.stringify(command),
        { qos: 1, retain: true },
      );
    },
    onStep(listener) {
      listeners.push(listener);
    },
    async stop(timeoutMs = 2000) {
      await Promise.race([
        chain.then(() => client.endAsync()),
        new Promise((r) => setTimeout(r, timeoutMs).unref()),
      ]);
    },
  };
}
