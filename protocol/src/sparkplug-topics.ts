import { z } from 'zod';

/**
 * Sparkplug B topic namespace (Sparkplug 3.0 "Topic Namespace Elements"):
 *   spBv1.0/<group_id>/<message_type>/<edge_node_id>[/<device_id>]
 *   spBv1.0/STATE/<sparkplug_host_id>
 * Builders and one parser, used by the broker's ACL (broker/src/acl.ts), ingest's Sparkplug
 * consumer (ingest/src/sparkplug/) and the edge agent's Sparkplug mode, so nobody builds a
 * Sparkplug topic by hand (docs/architecture.md "Conventions").
 */
export const SPARKPLUG_NAMESPACE = 'spBv1.0';

export const SPARKPLUG_NODE_TYPES = ['NBIRTH', 'NDEATH', 'NDATA', 'NCMD'] as const;
export const SPARKPLUG_DEVICE_TYPES = ['DBIRTH', 'DDEATH', 'DDATA', 'DCMD'] as const;
export type SparkplugNodeType = (typeof SPARKPLUG_NODE_TYPES)[number];
export type SparkplugDeviceType = (typeof SPARKPLUG_DEVICE_TYPES)[number];

/**
 * A group, edge node, device or host id: a non-empty UTF-8 string without the MQTT
 * separators and wildcards `/`, `+`, `#` (Sparkplug 3.0 tck-id-topic-structure-namespace-valid-*).
 */
export const SPARKPLUG_ID_PATTERN = /^[^/+#\0]{1,128}$/u;
export const sparkplugIdSchema = z
  .string()
  .regex(SPARKPLUG_ID_PATTERN, 'must be 1-128 characters without "/", "+", "#"');

export type SparkplugTopic =
  | { kind: 'node'; type: SparkplugNodeType; group: string; node: string }
  | { kind: 'device'; type: SparkplugDeviceType; group: string; node: string; device: string }
  | { kind: 'state'; hostId: string };

export type SparkplugTopicParseResult =
  { ok: true; topic: SparkplugTopic } | { ok: false; reason: string };

function assertSparkplugId(what: string, value: string): void {
  if (!SPARKPLUG_ID_PATTERN.test(value))
    throw new Error(`invalid Sparkplug ${what} "${value}" for a topic level`);
}

export const sparkplugTopics = {
  node(group: string, type: SparkplugNodeType, node: string): string {
    assertSparkplugId('group', group);
    assertSparkplugId('edge node', node);
    return `${SPARKPLUG_NAMESPACE}/${group}/${type}/${node}`;
  },
  device(group: string, type: SparkplugDeviceType, node: string, device: string): string {
    assertSparkplugId('group', group);
    assertSparkplugId('edge node', node);
    assertSparkplugId('device', device);
    return `${SPARKPLUG_NAMESPACE}/${group}/${type}/${node}/${device}`;
  },
  /** A host application's birth/death (Sparkplug 3.0 "Sparkplug Host Application"). */
  state(hostId: string): string {
    assertSparkplugId('host', hostId);
    return `${SPARKPLUG_NAMESPACE}/STATE/${hostId}`;
  },
  /** What a host subscribes to for one group. */
  group(group: string): string {
    assertSparkplugId('group', group);
    return `${SPARKPLUG_NAMESPACE}/${group}/#`;
  },
} as const;

export function isSparkplugTopic(topic: string): boolean {
  return topic.startsWith(`${SPARKPLUG_NAMESPACE}/`);
}

export function parseSparkplugTopic(topic: string): SparkplugTopicParseResult {
  const prefix = `${SPARKPLUG_NAMESPACE}/`;
  if (!topic.startsWith(prefix))
    return { ok: false, reason: `topic is not under ${SPARKPLUG_NAMESPACE}/` };
  const levels = topic.slice(prefix.length).split('/');
  const bad = levels.find((level) => !SPARKPLUG_ID_PATTERN.test(level));
  if (bad !== undefined) return { ok: false, reason: `invalid topic level "${bad}"` };
  if (levels[0] === 'STATE' && levels.length === 2)
    return { ok: true, topic: { kind: 'state', hostId: levels[1]! } };
  const [group, type, node, device] = levels as [string, string, string, string | undefined];
  if (levels.length === 3 && (SPARKPLUG_NODE_TYPES as readonly string[]).includes(type))
    return { ok: true, topic: { kind: 'node', type: type as SparkplugNodeType, group, node } };
  if (levels.length === 4 && (SPARKPLUG_DEVICE_TYPES as readonly string[]).includes(type))
    return {
      ok: true,
      topic: { kind: 'device', type: type as SparkplugDeviceType, group, node, device: device! },
    };
  return {
    ok: false,
    reason: `expected ${SPARKPLUG_NAMESPACE}/<group>/<N…>/<node>, …/<D…>/<node>/<device> or ${SPARKPLUG_NAMESPACE}/STATE/<host>`,
  };
}
