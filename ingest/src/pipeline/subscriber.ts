import {
  decodeMessage,
  encodePayload,
  isCommandResultTopic,
  isToGatewayTopic,
  topics,
  type SeqRange,
} from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { IngestItem } from './items';

export interface SubscriberOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  clientId?: string;
  /** Default: everything, `takt/v1/#`. */
  topics?: readonly string[] | undefined;
  log: Logger;
  onItem: (item: IngestItem) => void;
  /**
   * Backpressure (issue 4): while this is false the next message is neither acknowledged
   * (PUBACK) nor read, so the broker and then the gateways' disk queues hold the data.
   */
  hasRoom?: () => boolean;
}

/**
 * MQTT -> validated items. A persistent session (clean: false, fixed client id) makes the
 * broker keep QoS 1 messages for ingest while it restarts. Every payload is decoded with
 * the protocol schemas; a rejected one becomes a dead letter with its reason.
 */
export interface RunningSubscriber {
  /** Resolves once the first subscription is in place. */
  ready: Promise<void>;
  /** Tell a gateway which of its seqs are committed (QoS 1, on `topics.ack`). */
  ack(site: string, gatewayId: string, ranges: SeqRange[], nowMs: number): void;
  stop(timeoutMs?: number): Promise<void>;
}

export function startSubscriber(opts: SubscriberOptions): RunningSubscriber {
  const client: MqttClient = mqtt.connect(opts.url, {
    clientId: opts.clientId ?? 'takt-ingest',
    username: opts.username,
    password: opts.password,
    clean: false,
    reconnectPeriod: 2000,
  });
  const hasRoom = opts.hasRoom;
  if (hasRoom) {
    // MQTT.js sends the PUBACK and reads the next packet only once this calls back.
    client.handleMessage = (_packet, callback) => {
      if (hasRoom()) return callback();
      const timer = setInterval(() => {
        if (!hasRoom()) return;
        clearInterval(timer);
        callback();
      }, 20);
      timer.unref(); // a stop while the database is away must not be held up by this wait
    };
  }
  client.on('message', (topic, payload, packet) => {
    if (isToGatewayTopic(topic)) return; // acks (ours) and commands: not data
    if (isCommandResultTopic(topic)) return; // answers to commands (fleet/config-commands.ts)
    const decoded = decodeMessage(topic, payload);
    opts.onItem(
      decoded.ok
        ? {
            kind: 'message',
            message: decoded.message,
            receivedAtMs: Date.now(),
            // Set only on a retained message replayed on subscribe [MQTT-3.3.1-8, -9]: its
            // ts is old by design (domain/time-horizon.ts clockOffset).
            retained: packet.retain,
          }
        : { kind: 'dead', topic, payload: Buffer.from(payload), reason: decoded.reason },
    );
    if (!decoded.ok)
      opts.log.warn({ topic, reason: decoded.reason }, 'payload rejected to dead letters');
  });
  let resolveReady: () => void;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  client.on('connect', () => {
    (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
    opts.log.info({ broker: new URL(opts.url).host }, 'ingest connected to broker'); // never user:pass
    // Re-subscribing on every connect is harmless and covers a broker that lost its sessions.
    client.subscribeAsync(opts.topics?.length ? [...opts.topics] : topics.all, { qos: 1 }).then(
      () => resolveReady(),
      (error: Error) => opts.log.error({ err: error.message }, 'subscribe failed'),
    );
  });
  client.on('error', (error) => opts.log.warn({ err: error.message }, 'mqtt error'));
  return {
    ready,
    ack(site, gatewayId, ranges, nowMs) {
      const payload = encodePayload('ack', { v: 1, ts: nowMs, ranges });
      client.publish(topics.ack(site, gatewayId), payload, { qos: 1 }, (error) => {
        // A lost ack costs a re-send from the gateway (deduped here), never data.
        if (error) opts.log.warn({ gatewayId, err: error.message }, 'ack not published');
      });
    },
    async stop(timeoutMs = 2000) {
      await Promise.race([client.endAsync(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    },
  };
}
