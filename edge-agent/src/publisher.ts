import {
  ackPayloadSchema,
  encodePayload,
  topics,
  type GatewayConfig,
  type StatusPayload,
} from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { queueHealth } from './health';
import { closeWithFarewell } from './mqtt-close';
import type { OutMessage } from './mapper';
import type { DiskQueue } from './queue/disk-queue';
import type { QueuedRecord } from './queue/framing';
import type { SeqStore } from './seq-store';

export interface PublisherOptions {
  config: GatewayConfig;
  password: string | undefined;
  /** The broker's CA (mqtt.caFile), for TLS. */
  ca?: Buffer | undefined;
  seq: SeqStore;
  queue: DiskQueue;
  log: Logger;
  now: () => number;
  /** The birth message's body, asked for on every (re)connect. */
  birth: () => Omit<StatusPayload, 'v' | 'ts' | 'status' | 'queue' | 'clockOffsetMs'>;
  /** Called on every (re)connect, after the birth. */
  onConnect?: () => void;
  /** Command topics to subscribe to on every (re)connect, and their handler (remote-config.ts). */
  commands?: { topics: readonly string[]; onMessage: (topic: string, payload: Buffer) => void };
}

function encodeOut(message: OutMessage, envelope: { v: 1; seq: number; ts: number }): string {
  switch (message.kind) {
    case 'metrics':
      return encodePayload('metrics', { ...envelope, ...message.body });
    case 'state':
      return encodePayload('state', { ...envelope, ...message.body });
    case 'count':
      return encodePayload('count', { ...envelope, ...message.body });
    case 'scan':
      return encodePayload('scan', { ...envelope, ...message.body });
  }
}

const PUMP_MS = 20;
const STATUS_EVERY_MS = 10_000;

/**
 * The MQTT side of the gateway (store-and-forward, issue 4): every message is stamped with
 * a persisted seq and appended to the disk queue first; a pump sends from the queue in seq
 * order (bounded rate, bounded unacked window) and ingest's ack on `topics.ack` removes it.
 * A retained birth on every connect (with the queue's figures) and a retained last will.
 */
export class Publisher {
  private readonly client: MqttClient;
  private readonly site: string;
  private readonly gatewayId: string;
  private readonly ackTopic: string;
  private readonly pumpTimer: NodeJS.Timeout;
  private readonly statusTimer: NodeJS.Timeout;
  private tokens = 0;
  private lastPump = 0;
  private clockOffsetMs: number | undefined;
  private stopped = false;
  /**
   * Set by our 'connect' handler, not MQTT.js's `connected` (true a little earlier): sending
   * before the handler's restart of the round would send the same messages twice.
   */
  private online = false;

  constructor(private readonly opts: PublisherOptions) {
    const { gateway, mqtt: m } = opts.config;
    this.site = gateway.site;
    this.gatewayId = gateway.id;
    this.ackTopic = topics.ack(this.site, this.gatewayId);
    const statusTopic = topics.status(this.site, this.gatewayId);
    this.client = mqtt.connect(m.url, {
      clientId: `takt-gw-${gateway.id}`,
      username: m.username,
      password: opts.password,
      ...(opts.ca ? { ca: opts.ca } : {}),
      keepalive: m.keepaliveS,
      clean: true,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      // Messages are on disk: MQTT.js need not keep its own copies while offline.
      queueQoSZero: false,
      will: {
        topic: statusTopic,
        payload: Buffer.from(encodePayload('status', { v: 1, ts: opts.now(), status: 'offline' })),
        qos: 1,
        retain: true,
      },
    });
    this.client.on('connect', () => {
      // TCP_NODELAY on the client side too (docs/decisions.md "Measured on these machines": Nagle costs ~40 ms p99).
      (this.client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
      opts.log.info({ broker: new URL(m.url).host }, 'connected to broker'); // never user:pass
      // A clean session (and a restarted broker) has no subscriptions: subscribe every time.
      this.client.subscribe(this.ackTopic, { qos: 1 }, (error) => {
        if (error) opts.log.warn({ err: error.message }, 'ack subscription failed');
      });
      if (opts.commands?.topics.length)
        this.client.subscribe([...opts.commands.topics], { qos: 1 }, (error) => {
          if (error) opts.log.warn({ err: error.message }, 'command subscription failed');
        });
      this.publishBirth();
      // Whatever was in flight on the old connection may be lost: send it all again.
      opts.queue.book.restart();
      this.online = true;
      opts.onConnect?.();
      this.pump();
    });
    this.client.on('message', (topic, payload) => {
      if (topic === this.ackTopic) this.onAck(payload);
      else if (opts.commands?.topics.includes(topic)) opts.commands.onMessage(topic, payload);
    });
    this.client.on('error', (error) => opts.log.warn({ err: error.message }, 'mqtt error'));
    this.client.on('offline', () => opts.log.warn('broker unreachable, retrying'));
    this.client.on('close', () => (this.online = false));
    this.pumpTimer = setInterval(() => this.pump(), PUMP_MS);
    this.statusTimer = setInterval(() => {
      if (this.client.connected) this.publishBirth();
    }, STATUS_EVERY_MS);
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** A command's result (QoS 1); one lost while offline is sent again by the retained command. */
  publishResult(topic: string, payload: string, done?: (error?: Error) => void): void {
    this.client.publish(topic, payload, { qos: 1 }, (error) => {
      if (error) this.opts.log.warn({ topic, err: error.message }, 'command result not published');
      done?.(error);
    });
  }

  publishBirth(): void {
    const payload = encodePayload('status', {
      v: 1,
      ts: this.opts.now(),
      status: 'online',
      ...this.opts.birth(),
      queue: queueHealth(this.opts.queue),
      ...(this.clockOffsetMs === undefined ? {} : { clockOffsetMs: this.clockOffsetMs }),
    });
    this.client.publish(topics.status(this.site, this.gatewayId), payload, {
      qos: 1,
      retain: true,
    });
  }

  /** Stamps the messages with seqs and puts them on disk with one write; the pump sends them. */
  enqueue(messages: readonly OutMessage[]): void {
    const records: QueuedRecord[] = [];
    for (const message of messages) {
      const seq = this.opts.seq.take();
      const topic = topics.machine(this.site, this.gatewayId, message.machineId, message.kind);
      try {
        records.push({
          seq,
          topic,
          payload: encodeOut(message, { v: 1, seq, ts: this.opts.now() }),
        });
      } catch (error) {
        // One message the wire schema refuses must not silence the rest of the poll.
        this.opts.log.error(
          { machine: message.machineId, kind: message.kind, err: (error as Error).message },
          'message not published',
        );
      }
    }
    this.opts.queue.append(records);
    setImmediate(() => this.pump());
  }

  private onAck(payload: Buffer): void {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      json = undefined;
    }
    const ack = ackPayloadSchema.safeParse(json);
    if (!ack.success) {
      this.opts.log.warn({ topic: this.ackTopic }, 'ignored a malformed ack');
      return;
    }
    this.opts.queue.ack(ack.data.ranges);
    this.clockOffsetMs = Math.round(this.opts.now() - ack.data.ts);
    this.pump();
  }

  /** Sends what the queue says is due, within the rate and the unacked window. */
  private pump(): void {
    if (this.stopped || !this.online || !this.client.connected) return;
    const q = this.opts.config.queue;
    const now = this.opts.now();
    const elapsed = this.lastPump === 0 ? PUMP_MS : now - this.lastPump;
    this.lastPump = now;
    // Token bucket: maxSendPerS on average, bursts of at most a tenth of a second.
    this.tokens = Math.min(q.maxSendPerS / 10, this.tokens + (elapsed * q.maxSendPerS) / 1000);
    const max = Math.floor(this.tokens);
    if (max < 1) return;
    const due = this.opts.queue.next(now, max, q.maxUnacked, q.ackTimeoutMs);
    this.tokens -= due.length;
    for (const record of due) {
      this.client.publish(record.topic, record.payload, { qos: 1 }, (error) => {
        // Not lost: it stays queued until an ack covers it and is sent again.
        if (error) this.opts.log.debug({ seq: record.seq, err: error.message }, 'publish failed');
      });
    }
  }

  /** Clean stop: an `offline` status first (a will only fires on an unclean loss). */
  async stop(timeoutMs = 3000): Promise<void> {
    this.stopped = true;
    clearInterval(this.pumpTimer);
    clearInterval(this.statusTimer);
    const farewell = {
      topic: topics.status(this.site, this.gatewayId),
      payload: encodePayload('status', { v: 1, ts: this.opts.now(), status: 'offline' }),
      retain: true,
    };
    await closeWithFarewell(this.client, farewell, timeoutMs, this.opts.log, 'mqtt client');
    this.opts.queue.close();
  }
}
