import type { SparkplugTopic } from '@takt/protocol';

/**
 * The host side of Sparkplug B sessions, as a pure reducer (no MQTT, no database): what one
 * message means given what the node said before. Sparkplug 3.0 "Sparkplug Host Application":
 * - NBIRTH opens a node session with its bdSeq, seq and metric definitions (names, aliases);
 * - every later message of the node carries seq = previous + 1, wrapping 255 → 0
 *   (tck-id-payloads-sequence-num-incrementing); a gap means messages were lost;
 * - NDEATH ends the session only when its bdSeq is the NBIRTH's (tck-id-topics-nbirth-bdseq-matching:
 *   a stale will of an older connection must not kill the new session), at the host's own
 *   time (tck-id-operational-behavior-edge-node-termination-host-action-ndeath-node-offline);
 * - DBIRTH opens a device within the node session; DDATA before it, an alias nobody defined,
 *   or any data outside a session is doubtful: the host asks for a rebirth
 *   (NCMD `Node Control/Rebirth`, tck-id-operational-behavior-data-commands-ncmd-rebirth-name)
 *   and stores nothing from that message. A seq gap asks at once: the Reorder Timeout of
 *   tck-id-operational-behavior-host-reordering-param is zero, as ingest reads one ordered
 *   MQTT connection where a gap is a loss, never a late message.
 * docs/decisions.md "Issue 24 — Sparkplug B in".
 */

/** A decoded metric reduced to what the host needs. */
export interface SparkplugMetric {
  name?: string | undefined;
  alias?: number | undefined;
  value: unknown;
  type: string;
  timestampMs?: number | undefined;
}

export interface SparkplugMessage {
  topic: Exclude<SparkplugTopic, { kind: 'state' }>;
  seq?: number | undefined;
  timestampMs?: number | undefined;
  metrics: SparkplugMetric[];
}

/** A metric the session resolved to a name, at its own time. */
export interface NamedValue {
  name: string;
  value: unknown;
  type: string;
  ts: number;
}

interface DeviceSession {
  aliases: Map<number, string>;
}

export interface NodeSession {
  bdSeq: number | undefined;
  lastSeq: number;
  aliases: Map<number, string>;
  devices: Map<string, DeviceSession>;
  /** A rebirth was asked for: data is refused until the next NBIRTH. */
  awaitingRebirth: boolean;
}

export type Outcome =
  /** Values to store for the node (device undefined) or one of its devices. */
  | {
      kind: 'values';
      device: string | undefined;
      values: NamedValue[];
      birth: boolean;
      /** The message's own time. */
      at: number;
    }
  /** NDEATH matching the birth: the node and all its devices are offline. */
  | { kind: 'node-dead'; devices: string[]; ts: number }
  | { kind: 'device-dead'; device: string; ts: number }
  /** Nothing stored; ask for a rebirth unless one is pending (`ask`). */
  | { kind: 'rebirth'; reason: string; ask: boolean }
  /** Nothing stored, no rebirth: the message is kept as a dead letter with this reason. */
  | { kind: 'refused'; reason: string };

export const BDSEQ_METRIC = 'bdSeq';
export const REBIRTH_METRIC = 'Node Control/Rebirth';

/** Sessions of every node this host has seen, keyed by `<group>/<node>`. */
export class SparkplugSessions {
  private readonly nodes = new Map<string, NodeSession>();

  session(group: string, node: string): NodeSession | undefined {
    return this.nodes.get(`${group}/${node}`);
  }

  /** The meaning of one message; updates the node's session. `nowMs` stamps metrics without time. */
  apply(message: SparkplugMessage, nowMs: number): Outcome {
    const { topic } = message;
    const key = `${topic.group}/${topic.node}`;
    const ts = (m?: SparkplugMetric) => m?.timestampMs ?? message.timestampMs ?? nowMs;
    // Births define every metric by name (tck-id-payloads-alias-birth-requirement).
    if (
      (topic.type === 'NBIRTH' || topic.type === 'DBIRTH') &&
      message.metrics.some((m) => m.name === undefined)
    )
      return this.rebirth(this.nodes.get(key), `${topic.type} has a metric without a name`);
    if (topic.type === 'NBIRTH') {
      const bdSeq = numberOf(message.metrics.find((m) => m.name === BDSEQ_METRIC)?.value);
      const session: NodeSession = {
        bdSeq,
        lastSeq: message.seq ?? 0,
        aliases: aliasesOf(message.metrics),
        devices: new Map(),
        awaitingRebirth: false,
      };
      this.nodes.set(key, session);
      return {
        kind: 'values',
        device: undefined,
        values: named(message, session.aliases, ts) ?? [],
        birth: true,
        at: ts(),
      };
    }
    const session = this.nodes.get(key);
    if (topic.type === 'NDEATH') return this.death(key, session, message, nowMs);
    if (topic.type === 'NCMD' || topic.type === 'DCMD')
      return { kind: 'refused', reason: 'commands are for edge nodes, not data' };
    if (!session) return this.rebirth(undefined, `${topic.type} before NBIRTH`);
    if (session.awaitingRebirth)
      return { kind: 'rebirth', reason: 'waiting for the rebirth asked for', ask: false };
    const expected = (session.lastSeq + 1) % 256;
    if (message.seq !== expected)
      return this.rebirth(session, `seq ${message.seq ?? 'missing'} where ${expected} was due`);
    session.lastSeq = expected;
    if (topic.kind === 'node') {
      const values = named(message, session.aliases, ts);
      return values
        ? { kind: 'values', device: undefined, values, birth: false, at: ts() }
        : this.rebirth(session, `${topic.type} names an alias never born`);
    }
    const { device } = topic;
    if (topic.type === 'DBIRTH') {
      const aliases = aliasesOf(message.metrics);
      session.devices.set(device, { aliases });
      return {
        kind: 'values',
        device,
        values: named(message, aliases, ts) ?? [],
        birth: true,
        at: ts(),
      };
    }
    const born = session.devices.get(device);
    if (!born)
      return this.rebirth(session, `${topic.type} of device "${device}" before its DBIRTH`);
    if (topic.type === 'DDEATH') {
      session.devices.delete(device);
      return { kind: 'device-dead', device, ts: message.timestampMs ?? nowMs };
    }
    const values = named(message, born.aliases, ts);
    return values
      ? { kind: 'values', device, values, birth: false, at: ts() }
      : this.rebirth(session, `DDATA of device "${device}" names an alias never born`);
  }

  private death(
    key: string,
    session: NodeSession | undefined,
    message: SparkplugMessage,
    nowMs: number,
  ): Outcome {
    const bdSeq = numberOf(message.metrics.find((m) => m.name === BDSEQ_METRIC)?.value);
    if (!session) return { kind: 'refused', reason: 'NDEATH of a node with no session' };
    if (session.bdSeq !== undefined && bdSeq !== session.bdSeq)
      return {
        kind: 'refused',
        reason: `NDEATH bdSeq ${bdSeq ?? 'missing'} is not the NBIRTH's ${session.bdSeq}: a stale death certificate`,
      };
    this.nodes.delete(key);
    return { kind: 'node-dead', devices: [...session.devices.keys()], ts: nowMs };
  }

  private rebirth(session: NodeSession | undefined, reason: string): Outcome {
    if (session) session.awaitingRebirth = true;
    return { kind: 'rebirth', reason, ask: true };
  }
}

function aliasesOf(metrics: readonly SparkplugMetric[]): Map<number, string> {
  const aliases = new Map<number, string>();
  for (const m of metrics)
    if (m.alias !== undefined && m.name !== undefined) aliases.set(m.alias, m.name);
  return aliases;
}

/** Names every metric by its name or its born alias; undefined when one alias is unknown. */
function named(
  message: SparkplugMessage,
  aliases: ReadonlyMap<number, string>,
  ts: (m: SparkplugMetric) => number,
): NamedValue[] | undefined {
  const values: NamedValue[] = [];
  for (const m of message.metrics) {
    const name = m.name ?? (m.alias === undefined ? undefined : aliases.get(m.alias));
    if (name === undefined) return undefined;
    values.push({ name, value: m.value, type: m.type, ts: ts(m) });
  }
  return values;
}

/** protobufjs gives 64-bit integers as Long objects; everything else as numbers. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value && typeof value === 'object' && 'toNumber' in value)
    return (value as { toNumber(): number }).toNumber();
  return undefined;
}
