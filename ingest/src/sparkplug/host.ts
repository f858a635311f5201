import {
  parseSparkplugTopic,
  sparkplugTopics,
  type PlantModel,
  type SparkplugConfig,
} from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { get as sparkplugPayload } from 'sparkplug-payload';
import type { IngestItem } from '../pipeline/items';
import { NodeMapper, type Mapped } from './mapping';
import {
  numberOf,
  REBIRTH_METRIC,
  SparkplugSessions,
  type Outcome,
  type SparkplugMessage,
} from './session';

const codec = sparkplugPayload('spBv1.0')!;

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
  /** Rebirth requests sent, per node (`<group>/<node>`), for health and tests. */
  rebirthsAsked: Map<string, number>;
  stop(timeoutMs?: number): Promise<void>;
}

/** A rebirth request is sent at most this often per node, so a stream of doubtful messages is not a stream of NCMDs. */
const REBIRTH_EVERY_MS = 2000;

/**
 * Ingest as a Sparkplug B host application: subscribes `spBv1.0/<group>/#` for the configured
 * groups, decodes with sparkplug-payload, keeps the node sessions (session.ts), maps values
 * to Takt messages (mapping.ts) for the pipeline, and asks for a rebirth when in doubt.
 * A clean session: Sparkplug data is a live view, and after a reconnect the first message
 * of a node without a session asks it for a rebirth (docs/decisions.md "Issue 24 — Sparkplug B in").
 */
export function startSparkplugHost(opts: SparkplugHostOptions): RunningSparkplugHost {
  const { log, config } = opts;
  const sessions = new SparkplugSessions();
  const mappers = new Map(
    config.nodes.map((n) => [
      `${n.group}/${n.node}`,
      new NodeMapper(opts.plant.site.id, n, config.unmapped),
    ]),
  );
  const counters = new Map<string, Map<string, number>>();
  const lastAsked = new Map<string, number>();
  const rebirthsAsked = new Map<string, number>();
  const client: MqttClient = mqtt.connect(opts.url, {
    clientId: opts.clientId ?? 'takt-ingest-sparkplug',
    username: opts.username,
    password: opts.password,
    clean: true,
    reconnectPeriod: 2000,
  });
  const dead = (topic: string, payload: Buffer, reason: string) => {
    log.warn({ topic, reason }, 'Sparkplug message to dead letters');
    opts.onItem({ kind: 'dead', topic, payload, reason });
  };

  const askRebirth = (group: string, node: string) => {
    const key = `${group}/${node}`;
    const now = Date.now();
    if (now - (lastAsked.get(key) ?? -Infinity) < REBIRTH_EVERY_MS) return;
    lastAsked.set(key, now);
    rebirthsAsked.set(key, (rebirthsAsked.get(key) ?? 0) + 1);
    // Sparkplug 3.0 "Rebirth Request": NCMD with the Boolean metric Node Control/Rebirth = true.
    const payload = codec.encodePayload({
      timestamp: now,
      metrics: [{ name: REBIRTH_METRIC, type: 'Boolean', value: true }],
    });
    client.publish(sparkplugTopics.node(group, 'NCMD', node), Buffer.from(payload), { qos: 0 });
  };

  const handle = (topic: string, payload: Buffer) => {
    const parsed = parseSparkplugTopic(topic);
    if (!parsed.ok) return dead(topic, payload, `topic: ${parsed.reason}`);
    const t = parsed.topic;
    if (t.kind === 'state' || t.type === 'NCMD' || t.type === 'DCMD') return; // hosts' and our own
    const mapper = mappers.get(`${t.group}/${t.node}`);
    let message: SparkplugMessage;
    try {
      message = toMessage(t, codec.decodePayload(payload));
    } catch (error) {
      // A payload that does not decode says nothing about seq: the session goes on.
      return dead(topic, payload, `Sparkplug payload does not decode: ${(error as Error).message}`);
    }
    const outcome = sessions.apply(message, Date.now());
    if (t.type === 'NBIRTH') lastAsked.delete(`${t.group}/${t.node}`); // a new session may be doubted at once
    for (const item of itemsOf(outcome, t.group, t.node, mapper)) {
      if (item.kind === 'dead') dead(topic, payload, item.reason);
      else opts.onItem({ kind: 'message', message: item.message, receivedAtMs: Date.now() });
    }
    if (outcome.kind === 'rebirth') {
      dead(topic, payload, `${outcome.reason}; rebirth requested, nothing stored`);
      if (outcome.ask) askRebirth(t.group, t.node);
    }
    if (outcome.kind === 'refused') dead(topic, payload, outcome.reason);
    if (!mapper && outcome.kind === 'values' && config.unmapped === 'dead-letter')
      dead(
        topic,
        payload,
        `edge node ${t.group}/${t.node} is not in the plant model's sparkplug mapping`,
      );
  };

  const itemsOf = (
    outcome: Outcome,
    group: string,
    node: string,
    mapper: NodeMapper | undefined,
  ): Mapped[] => {
    if (!mapper) return [];
    const key = (device: string | undefined) => `${group}/${node}/${device ?? ''}`;
    const status = (ts: number, online: boolean): Mapped => ({
      kind: 'message',
      message: {
        kind: 'status',
        site: opts.plant.site.id,
        gatewayId: mapper.node.gateway,
        payload: { v: 1, ts, status: online ? 'online' : 'offline' },
      },
    });
    if (outcome.kind === 'values') {
      let c = counters.get(key(outcome.device));
      if (!c) counters.set(key(outcome.device), (c = new Map()));
      const values = mapper.values(outcome.device, outcome.values, c);
      // An NBIRTH puts the node's gateway row online, as a Takt gateway's birth does.
      const born = outcome.birth && outcome.device === undefined;
      return born ? [status(outcome.at, true), ...values] : values;
    }
    if (outcome.kind === 'device-dead') return mapper.death(outcome.device, outcome.ts, 'DDEATH');
    if (outcome.kind === 'node-dead') {
      // Every mapped machine of the node, born or not: the node is gone.
      const machines = mapper.node.devices.flatMap((d) =>
        mapper.death(d.device, outcome.ts, 'NDEATH'),
      );
      return [status(outcome.ts, false), ...machines];
    }
    return [];
  };

  client.on('message', (topic, payload) => {
    try {
      handle(topic, payload);
    } catch (error) {
      dead(
        topic,
        Buffer.from(payload),
        `Sparkplug message not handled: ${(error as Error).message}`,
      );
    }
  });
  let resolveReady: () => void;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  client.on('connect', () => {
    log.info({ groups: config.groups }, 'Sparkplug host connected');
    client
      .subscribeAsync(
        config.groups.map((g) => sparkplugTopics.group(g)),
        { qos: 1 },
      )
      .then(
        () => resolveReady(),
        (error: Error) => log.error({ err: error.message }, 'Sparkplug subscribe failed'),
      );
  });
  client.on('error', (error) => log.warn({ err: error.message }, 'Sparkplug mqtt error'));
  return {
    ready,
    rebirthsAsked,
    async stop(timeoutMs = 1000) {
      await Promise.race([client.endAsync(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    },
  };
}

function toMessage(
  topic: SparkplugMessage['topic'],
  decoded: ReturnType<typeof codec.decodePayload>,
): SparkplugMessage {
  return {
    topic,
    seq: numberOf(decoded.seq),
    timestampMs: numberOf(decoded.timestamp),
    metrics: (decoded.metrics ?? []).map((m) => ({
      name: m.name ?? undefined,
      alias: numberOf(m.alias),
      value: m.value,
      type: m.type,
      timestampMs: numberOf(m.timestamp),
    })),
  };
}
