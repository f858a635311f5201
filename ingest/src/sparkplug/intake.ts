import { parseSparkplugTopic, type PlantModel, type SparkplugConfig } from '@takt/protocol';
import { get as sparkplugPayload } from 'sparkplug-payload';
import type { IngestItem } from '../pipeline/items';
import { NodeMapper, type Mapped } from './mapping';
import { numberOf, SparkplugSessions, type Outcome, type SparkplugMessage } from './session';

export const codec = sparkplugPayload('spBv1.0')!;

/** What one received Sparkplug message gives: items for the pipeline, and maybe a rebirth to ask. */
export interface Intake {
  items: IngestItem[];
  rebirth?: { group: string; node: string } | undefined;
}

/** A rebirth request is sent at most this often per node, so a stream of doubtful messages is not a stream of NCMDs. */
export const REBIRTH_EVERY_MS = 2000;

/**
 * Topic + bytes → pipeline items, without MQTT (host.ts is the glue): decode with
 * sparkplug-payload, apply the session rules (session.ts), map the values (mapping.ts), and
 * say when to ask for a rebirth (docs/decisions.md "Issue 24 — Sparkplug B in").
 */
export class SparkplugIntake {
  private readonly sessions = new SparkplugSessions();
  private readonly mappers: Map<string, NodeMapper>;
  /** Each device's last good/reject values, for counters reported by exception. */
  private readonly counters = new Map<string, Map<string, number>>();
  private readonly lastAsked = new Map<string, number>();

  constructor(
    private readonly plant: PlantModel,
    private readonly config: SparkplugConfig,
  ) {
    this.mappers = new Map(
      config.nodes.map((n) => [
        `${n.group}/${n.node}`,
        new NodeMapper(plant.site.id, n, config.unmapped),
      ]),
    );
  }

  receive(topic: string, payload: Buffer, nowMs: number): Intake {
    const dead = (reason: string): IngestItem => ({ kind: 'dead', topic, payload, reason });
    const parsed = parseSparkplugTopic(topic);
    if (!parsed.ok) return { items: [dead(`topic: ${parsed.reason}`)] };
    const t = parsed.topic;
    if (t.kind === 'state' || t.type === 'NCMD' || t.type === 'DCMD') return { items: [] }; // hosts' and our own
    const key = `${t.group}/${t.node}`;
    let message: SparkplugMessage;
    try {
      message = toMessage(t, codec.decodePayload(payload));
    } catch (error) {
      // A payload that does not decode says nothing about seq: the session goes on.
      return { items: [dead(`Sparkplug payload does not decode: ${(error as Error).message}`)] };
    }
    const outcome = this.sessions.apply(message, nowMs);
    if (t.type === 'NBIRTH') this.lastAsked.delete(key); // a new session may be doubted at once
    const mapper = this.mappers.get(key);
    const items = this.itemsOf(outcome, key, mapper).map((m): IngestItem =>
      m.kind === 'dead'
        ? dead(m.reason)
        : { kind: 'message', message: m.message, receivedAtMs: nowMs },
    );
    if (outcome.kind === 'refused') items.push(dead(outcome.reason));
    if (!mapper && outcome.kind === 'values' && this.config.unmapped === 'dead-letter')
      items.push(dead(`edge node ${key} is not in the plant model's sparkplug mapping`));
    if (outcome.kind !== 'rebirth') return { items };
    items.push(dead(`${outcome.reason}; rebirth requested, nothing stored`));
    if (!outcome.ask || nowMs - (this.lastAsked.get(key) ?? -Infinity) < REBIRTH_EVERY_MS)
      return { items };
    this.lastAsked.set(key, nowMs);
    return { items, rebirth: { group: t.group, node: t.node } };
  }

  private itemsOf(outcome: Outcome, key: string, mapper: NodeMapper | undefined): Mapped[] {
    if (!mapper) return [];
    const status = (ts: number, online: boolean): Mapped => ({
      kind: 'message',
      message: {
        kind: 'status',
        site: this.plant.site.id,
        gatewayId: mapper.node.gateway,
        payload: { v: 1, ts, status: online ? 'online' : 'offline' },
      },
    });
    if (outcome.kind === 'values') {
      const deviceKey = `${key}/${outcome.device ?? ''}`;
      let counters = this.counters.get(deviceKey);
      if (!counters) this.counters.set(deviceKey, (counters = new Map()));
      const values = mapper.values(outcome.device, outcome.values, counters);
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
  }
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
