import { sparkplugTopics, type PlantModel, type SparkplugConfig } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { IngestItem } from '../pipeline/items';
import { codec, SparkplugIntake } from './intake';
import { REBIRTH_METRIC } from './session';

export interface SparkplugHostOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  clientId?: string | undefined;
  plant: PlantModel;
  config: SparkplugConfig;
  log: Logger;
  /** Where mapped values and dead letters go: the pipeline's batcher, like MQTT's own items. */
  onItem: (item: IngestItem) => void;
}

export interface RunningSparkplugHost {
  /** Resolves once the groups are subscribed. */
  ready: Promise<void>;
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Ingest as a Sparkplug B host application: subscribes `spBv1.0/<group>/#` for the configured
 * groups, hands every message to the intake (intake.ts) and sends the rebirth requests it
 * asks for. A clean session: Sparkplug data is a live view, and after a reconnect the first
 * message of a node without a session asks it for a rebirth (docs/decisions.md
 * "Issue 24 — Sparkplug B in").
 */
export function startSparkplugHost(opts: SparkplugHostOptions): RunningSparkplugHost {
  const { log, config } = opts;
  const intake = new SparkplugIntake(opts.plant, config);
  const client: MqttClient = mqtt.connect(opts.url, {
    clientId: opts.clientId ?? 'takt-ingest-sparkplug',
    username: opts.username,
    password: opts.password,
    clean: true,
    reconnectPeriod: 2000,
  });
  const askRebirth = (group: string, node: string, nowMs: number) => {
    // Sparkplug 3.0 "Rebirth Request": NCMD with the Boolean metric Node Control/Rebirth = true
    // (tck-id-operational-behavior-data-commands-ncmd-rebirth-name, -value).
    const payload = codec.encodePayload({
      timestamp: nowMs,
      metrics: [{ name: REBIRTH_METRIC, type: 'Boolean', value: true }],
    });
    client.publish(sparkplugTopics.node(group, 'NCMD', node), Buffer.from(payload), { qos: 0 });
    log.info({ group, node }, 'Sparkplug rebirth requested');
  };
  client.on('message', (topic, payload) => {
    const nowMs = Date.now();
    let taken: ReturnType<SparkplugIntake['receive']>;
    try {
      taken = intake.receive(topic, payload, nowMs);
    } catch (error) {
      const reason = `Sparkplug message not handled: ${(error as Error).message}`;
      taken = { items: [{ kind: 'dead', topic, payload, reason }] };
    }
    for (const item of taken.items) {
      if (item.kind === 'dead')
        log.warn({ topic, reason: item.reason }, 'Sparkplug message to dead letters');
      opts.onItem(item);
    }
    if (taken.rebirth) askRebirth(taken.rebirth.group, taken.rebirth.node, nowMs);
  });
  let resolveReady: () => void;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  client.on('connect', () => {
    log.info({ groups: config.groups }, 'Sparkplug host connected');
    const filters = config.groups.map((g) => sparkplugTopics.group(g));
    client.subscribeAsync(filters, { qos: 1 }).then(
      () => resolveReady(),
      (error: Error) => log.error({ err: error.message }, 'Sparkplug subscribe failed'),
    );
  });
  client.on('error', (error) => log.warn({ err: error.message }, 'Sparkplug mqtt error'));
  return {
    ready,
    async stop(timeoutMs = 1000) {
      await Promise.race([client.endAsync(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    },
  };
}
