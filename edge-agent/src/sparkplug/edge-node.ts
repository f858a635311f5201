import { sparkplugTopics, type DeviceConfig, type GatewayConfig } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { get as sparkplugPayloads } from 'sparkplug-payload';
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload';
import type { OutMessage } from '../mapper';
import { closeWithFarewell } from '../mqtt-close';
import { SparkplugModel, type OutMetric } from './model';
import { BdSeqStore, SparkplugSeq } from './sequence';

const payloads = sparkplugPayloads('spBv1.0')!;

/** The node's own metrics (Sparkplug 3.0 "NBIRTH"): always these names and aliases. */
export const BD_SEQ = 'bdSeq';
export const REBIRTH = 'Node Control/Rebirth';
const BD_SEQ_ALIAS = 0;
const REBIRTH_ALIAS = 1;

export interface SparkplugNodeOptions {
  config: GatewayConfig;
  sparkplug: NonNullable<GatewayConfig['sparkplug']>;
  password: string | undefined;
  ca?: Buffer | undefined;
  stateDir: string;
  log: Logger;
  now: () => number;
}

/**
 * The gateway as a Sparkplug B edge node (docs/wire.md "Sparkplug B out"): its own MQTT
 * session (a session has one will, and Takt's carries the JSON `offline` status), client id
 * `takt-gw-<gatewayId>/sparkplug`. At-most-once live view, as Sparkplug is: nothing is queued
 * on disk; a host that missed messages asks for a rebirth and gets the current picture.
 */
export class SparkplugNode {
  private readonly client: MqttClient;
  private readonly model: SparkplugModel;
  private readonly seq = new SparkplugSeq();
  private readonly bdSeq: BdSeqStore;
  private readonly group: string;
  private readonly node: string;
  /** True between our NBIRTH and the session's end: no DBIRTH/DDATA is sent outside it. */
  private born = false;
  private stopped = false;
  /** Machines whose driver lost its device: dead (DDEATH) until the device is back. */
  private readonly lost = new Set<string>();

  constructor(private readonly opts: SparkplugNodeOptions) {
    const { config, sparkplug, log } = opts;
    this.group = sparkplug.group;
    this.node = sparkplug.node ?? config.gateway.id;
    this.model = new SparkplugModel(config.devices);
    this.bdSeq = new BdSeqStore(opts.stateDir, (err) =>
      log.warn({ err }, 'sparkplug bdSeq file problem'),
    );
    this.client = mqtt.connect(config.mqtt.url, {
      clientId: `takt-gw-${config.gateway.id}/sparkplug`,
      username: config.mqtt.username,
      password: opts.password,
      ...(opts.ca ? { ca: opts.ca } : {}),
      protocolVersion: 4, // MQTT 3.1.1 (docs/wire.md "MQTT 3.1.1 only")
      keepalive: config.mqtt.keepaliveS,
      clean: true, // Sparkplug 3.0 tck-id-principles-persistence-clean-session-311
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      queueQoSZero: false, // a live view: nothing old is sent after a reconnect
      will: this.will(),
    });
    this.client.on('connect', () => {
      void this.onConnect();
    });
    this.client.on('close', () => {
      if (this.born) log.info({ node: this.node }, 'sparkplug session ended');
      this.born = false;
      this.model.killAll();
      if (this.stopped) return;
      // The next CONNECT carries the next bdSeq in its will
      // (tck-id-message-flow-edge-node-birth-publish-will-message-payload-bdSeq).
      this.bdSeq.advance();
      if (this.client.options.will) this.client.options.will.payload = this.will().payload;
    });
    this.client.on('message', (topic, payload) => this.onCommand(topic, payload));
    this.client.on('error', (error) => log.warn({ err: error.message }, 'sparkplug mqtt error'));
  }

  private will() {
    return {
      topic: sparkplugTopics.node(this.group, 'NDEATH', this.node),
      payload: Buffer.from(this.deathPayload()),
      qos: 1 as const, // tck-id-message-flow-edge-node-birth-publish-will-message-qos
      retain: false, // tck-id-message-flow-edge-node-birth-publish-will-message-will-retained
    };
  }

  /** NDEATH: the bdSeq of this CONNECT and no seq (Sparkplug 3.0 "NDEATH"). */
  private deathPayload(): Uint8Array {
    return payloads.encodePayload({
      timestamp: this.opts.now(),
      metrics: [{ name: BD_SEQ, type: 'Int64', value: this.bdSeq.value }],
    });
  }

  private async onConnect(): Promise<void> {
    this.bdSeq.save();
    try {
      // Commands first, so that a rebirth asked right after our NBIRTH is heard
      // (tck-id-message-flow-edge-node-ncmd-subscribe).
      await this.client.subscribeAsync(sparkplugTopics.node(this.group, 'NCMD', this.node), {
        qos: 1,
      });
    } catch (error) {
      this.opts.log.warn({ err: (error as Error).message }, 'sparkplug NCMD subscription failed');
    }
    this.rebirth();
    this.opts.log.info(
      { group: this.group, node: this.node, bdSeq: this.bdSeq.value },
      'sparkplug node born',
    );
  }

  /** NBIRTH with seq 0 and the session's bdSeq, then a DBIRTH for every machine. */
  rebirth(): void {
    if (this.stopped || !this.client.connected) return;
    this.model.killAll();
    this.publish(sparkplugTopics.node(this.group, 'NBIRTH', this.node), {
      timestamp: this.opts.now(),
      seq: this.seq.birth(),
      metrics: [
        { name: BD_SEQ, alias: BD_SEQ_ALIAS, type: 'Int64', value: this.bdSeq.value },
        { name: REBIRTH, alias: REBIRTH_ALIAS, type: 'Boolean', value: false },
      ],
    });
    this.born = true;
    for (const machineId of this.model.machines()) {
      if (!this.lost.has(machineId)) this.deviceBirth(machineId);
    }
  }

  private deviceBirth(machineId: string): void {
    const metrics = this.model.birth(machineId, this.opts.now());
    this.publish(sparkplugTopics.device(this.group, 'DBIRTH', this.node, machineId), {
      timestamp: this.opts.now(),
      seq: this.seq.next(),
      metrics: metrics.map(toUMetric),
    });
  }

  /** What one poll made: born devices get a DDATA of what changed, others a DBIRTH. */
  publishMessages(messages: readonly OutMessage[]): void {
    const touched = this.model.apply(messages, this.opts.now());
    if (!this.born || this.stopped || !this.client.connected) return;
    for (const machineId of touched) {
      if (this.lost.has(machineId)) continue; // the bad-quality reads of a lost device
      if (!this.model.isBorn(machineId)) {
        // Born again before any data of it (tck-id-operational-behavior-data-publish-dbirth);
        // a redefined device's old definitions die first.
        if (this.model.hasSession(machineId)) this.deviceDeath(machineId);
        this.deviceBirth(machineId);
        continue;
      }
      const changed = this.model.data(machineId);
      if (changed.length === 0) continue; // by exception: nothing moved
      this.publish(sparkplugTopics.device(this.group, 'DDATA', this.node, machineId), {
        timestamp: this.opts.now(),
        seq: this.seq.next(),
        metrics: changed.map(toUMetric),
      });
    }
  }

  /**
   * A driver lost or found its device. Lost: its machines get a DDEATH and stay dead
   * (tck-id-operational-behavior-device-ddeath); found: the next values bring a DBIRTH.
   */
  deviceConnection(deviceId: string, connected: boolean): void {
    for (const machineId of this.model.machinesOf(deviceId)) {
      if (connected) {
        this.lost.delete(machineId);
        continue;
      }
      this.lost.add(machineId);
      if (this.model.hasSession(machineId)) this.deviceDeath(machineId);
    }
  }

  private deviceDeath(machineId: string): void {
    this.model.kill(machineId);
    if (!this.born || !this.client.connected) return;
    this.publish(sparkplugTopics.device(this.group, 'DDEATH', this.node, machineId), {
      timestamp: this.opts.now(),
      seq: this.seq.next(),
    });
  }

  /** New device configs (SIGHUP): the whole node is born again with the new definitions. */
  reload(devices: readonly DeviceConfig[]): void {
    this.model.define(devices);
    this.rebirth();
  }

  private publish(topic: string, payload: UPayload): void {
    // QoS 0, not retained: Sparkplug 3.0 tck-id-message-flow-edge-node-birth-publish-nbirth-qos,
    // -dbirth-qos and the DATA rules.
    this.client.publish(topic, Buffer.from(payloads.encodePayload(payload)), {
      qos: 0,
      retain: false,
    });
  }

  private onCommand(topic: string, payload: Buffer): void {
    let metrics: UMetric[];
    try {
      metrics = payloads.decodePayload(payload).metrics ?? [];
    } catch (error) {
      this.opts.log.warn(
        { topic, err: (error as Error).message },
        'ignored an undecodable sparkplug command',
      );
      return;
    }
    // tck-id-operational-behavior-data-commands-ncmd-rebirth-name/-value: by name, or alias.
    const rebirth = metrics.some(
      (m) => (m.name === REBIRTH || Number(m.alias) === REBIRTH_ALIAS) && m.value === true,
    );
    if (rebirth) {
      this.opts.log.info({ topic }, 'sparkplug rebirth requested');
      this.rebirth();
    } else {
      this.opts.log.warn(
        { topic, metrics: metrics.map((m) => m.name ?? String(m.alias)) },
        'ignored a sparkplug command: only Node Control/Rebirth is supported',
      );
    }
  }

  /** Intentional disconnect: NDEATH first, as the will only fires on an unclean loss
   * (tck-id-operational-behavior-edge-node-intentional-disconnect-ndeath). */
  async stop(timeoutMs = 3000): Promise<void> {
    this.stopped = true;
    const { topic, payload } = this.will();
    await closeWithFarewell(
      this.client,
      { topic, payload },
      timeoutMs,
      this.opts.log,
      'sparkplug mqtt client',
    );
  }
}

function toUMetric(m: OutMetric): UMetric {
  return m as UMetric;
}
