import {
  SPARKPLUG_ID_PATTERN,
  SPARKPLUG_NAMESPACE,
  TOPIC_ROOT,
  parseSparkplugTopic,
  topics,
} from '@takt/protocol';
import { sparkplugNodeOf, type Account, type SparkplugNodeId } from './users';

/**
 * Topic ACLs as pure functions of (account, topic), so every rule is tested without a broker.
 * The namespace gives every gateway one subtree (docs/decisions.md "Wire format"), so the checks are
 * prefix checks on `takt/v1/<site>/<gatewayId>/`:
 * - data (status, <machine>/{metrics,state,count,scan}) is published by the gateway;
 * - `ack` and `cmd/…` are published by ingest and read by the gateway.
 * A machine must therefore not be named `cmd` (its topics would fall in the command tree).
 * Sparkplug B edge nodes (a `sparkplug-node` account, or a gateway with a Sparkplug option)
 * get the same shape under `spBv1.0/<group>/<type>/<node>[/<device>]` (docs/decisions.md
 * "Issue 24 — Sparkplug B in"): births, deaths and data only for their own node; NCMD and DCMD
 * only from ingest; host STATE readable by every node.
 */
export type AclDecision = { ok: true } | { ok: false; reason: string };

const ALLOW: AclDecision = { ok: true };
const deny = (reason: string): AclDecision => ({ ok: false, reason });

/** `takt/v1/<site>/<gatewayId>/`, from the protocol's own builder. */
function subtreePrefix(site: string, gatewayId: string): string {
  return topics.gatewaySubtree(site, gatewayId).slice(0, -1);
}

/** The levels of a topic below its gateway's prefix, or undefined when it is not a Takt topic. */
function gatewayRest(topic: string): { site: string; gatewayId: string; rest: string } | undefined {
  const levels = topic.split('/');
  const root = TOPIC_ROOT.split('/');
  if (levels.length < 5 || root.some((level, i) => levels[i] !== level)) return undefined;
  const [site, gatewayId] = [levels[root.length]!, levels[root.length + 1]!];
  return { site, gatewayId, rest: levels.slice(root.length + 2).join('/') };
}

/** Acknowledgements and commands: written by ingest, read by the gateway they address. */
function isControl(rest: string): boolean {
  return rest === 'ack' || rest === 'cmd' || rest.startsWith('cmd/');
}

function ownsGateway(account: Account, site: string, gatewayId: string): boolean {
  return account.role === 'gateway' && account.site === site && account.gatewayId === gatewayId;
}

const NODE_PUBLISHES = new Set(['NBIRTH', 'NDEATH', 'NDATA', 'DBIRTH', 'DDEATH', 'DDATA']);

/** A node's own births, deaths and data (Sparkplug 3.0 "Edge Node" and "Device" messages). */
function isOwnSparkplugData(own: SparkplugNodeId, topic: string): boolean {
  const parsed = parseSparkplugTopic(topic);
  if (!parsed.ok || parsed.topic.kind === 'state') return false;
  const { group, node, type } = parsed.topic;
  return group === own.group && node === own.node && NODE_PUBLISHES.has(type);
}

/** What a host application publishes: commands to nodes and devices, its own STATE. */
function isSparkplugControl(topic: string): boolean {
  const parsed = parseSparkplugTopic(topic);
  if (!parsed.ok) return false;
  const { topic: t } = parsed;
  return t.kind === 'state' || t.type === 'NCMD' || t.type === 'DCMD';
}

/** Commands to this node or its devices, and host STATE: what a node reads. */
function isForSparkplugNode(own: SparkplugNodeId, topic: string): boolean {
  const parsed = parseSparkplugTopic(topic);
  if (!parsed.ok) return false;
  const { topic: t } = parsed;
  if (t.kind === 'state') return true;
  return t.group === own.group && t.node === own.node && (t.type === 'NCMD' || t.type === 'DCMD');
}

/**
 * A node's filters: its NCMD (alone or `…/#`, as Eclipse Tahu's client subscribes), its DCMD
 * (`/#`, `/+` or one device) and host STATE (one host or `+`). Wildcards never reach
 * another node's level.
 */
function sparkplugFilterAllowed(own: SparkplugNodeId, filter: string): boolean {
  const ncmd = `${SPARKPLUG_NAMESPACE}/${own.group}/NCMD/${own.node}`;
  const dcmd = `${SPARKPLUG_NAMESPACE}/${own.group}/DCMD/${own.node}`;
  if (filter === ncmd || filter === `${ncmd}/#` || filter === `${dcmd}/#`) return true;
  const rest = (prefix: string) =>
    filter.startsWith(`${prefix}/`) ? filter.slice(prefix.length + 1) : undefined;
  const device = rest(dcmd);
  if (device !== undefined) return device === '+' || SPARKPLUG_ID_PATTERN.test(device);
  const host = rest(`${SPARKPLUG_NAMESPACE}/STATE`);
  return host !== undefined && (host === '+' || SPARKPLUG_ID_PATTERN.test(host));
}

export function canPublish(account: Account, topic: string): AclDecision {
  // [MQTT-4.7.2-1]: `$` topics are the broker's own; nobody publishes there.
  if (topic.startsWith('$')) return deny('topics starting with $ are reserved to the broker');
  if (topic.includes('+') || topic.includes('#') || topic.includes('\0'))
    return deny('wildcards or NUL in a topic name');
  if (account.role === 'admin') return ALLOW;
  const parsed = gatewayRest(topic);
  if (account.role === 'ingest') {
    return (parsed && isControl(parsed.rest)) || isSparkplugControl(topic)
      ? ALLOW
      : deny('ingest publishes only acknowledgements and commands');
  }
  const node = sparkplugNodeOf(account);
  if (topic.startsWith(`${SPARKPLUG_NAMESPACE}/`)) {
    return node && isOwnSparkplugData(node, topic)
      ? ALLOW
      : deny('a Sparkplug node publishes only births, deaths and data of its own edge node');
  }
  if (account.role === 'sparkplug-node') return deny('a Sparkplug node publishes only spBv1.0/');
  if (!parsed || !ownsGateway(account, parsed.site, parsed.gatewayId))
    return deny('outside the gateway’s own subtree');
  if (isControl(parsed.rest)) return deny('ack and cmd topics are written by ingest only');
  return ALLOW;
}

export function canSubscribe(account: Account, filter: string): AclDecision {
  const node = sparkplugNodeOf(account);
  if (node && sparkplugFilterAllowed(node, filter)) return ALLOW;
  if (account.role === 'sparkplug-node')
    return deny('a Sparkplug node subscribes only to its own NCMD and DCMD and host STATE');
  if (account.role !== 'gateway') {
    if (account.role === 'admin') return ALLOW;
    return filter.startsWith('$') ? deny('ingest does not read $ topics') : ALLOW;
  }
  // A gateway reads only its own ack and cmd topics. Wildcards are allowed only after the
  // literal prefix `…/<gatewayId>/cmd/`, so no filter can reach data or other gateways.
  const own = subtreePrefix(account.site, account.gatewayId);
  if (filter === `${own}ack` || filter === `${own}cmd` || filter.startsWith(`${own}cmd/`))
    return ALLOW;
  return deny('a gateway subscribes only to its own ack and cmd topics');
}

/** Last line of defence before delivery (retained messages included). */
export function canReceive(account: Account, topic: string): boolean {
  const node = sparkplugNodeOf(account);
  if (node && isForSparkplugNode(node, topic)) return true;
  if (account.role === 'sparkplug-node') return false;
  if (account.role !== 'gateway') return true;
  const parsed = gatewayRest(topic);
  return (
    parsed !== undefined &&
    ownsGateway(account, parsed.site, parsed.gatewayId) &&
    isControl(parsed.rest)
  );
}

/**
 * Client ids are bound to accounts, so that no one takes over another's session (MQTT
 * closes the older connection with the same id [MQTT-3.1.4-2] and hands over its queue):
 * a gateway uses `takt-gw-<gatewayId>` (what the edge agent sends) or
 * `takt-gw-<gatewayId>/<suffix>` for a tool beside it; `/` is not allowed in ids, so one
 * gateway's prefix never covers another's. Other accounts may not use `takt-gw-` ids.
 */
export const GATEWAY_CLIENT_ID_PREFIX = 'takt-gw-';

export function clientIdAllowed(account: Account, clientId: string): AclDecision {
  if (account.role !== 'gateway') {
    return clientId.startsWith(GATEWAY_CLIENT_ID_PREFIX)
      ? deny(`client ids starting with ${GATEWAY_CLIENT_ID_PREFIX} are reserved to gateways`)
      : ALLOW;
  }
  const own = `${GATEWAY_CLIENT_ID_PREFIX}${account.gatewayId}`;
  return clientId === own || clientId.startsWith(`${own}/`)
    ? ALLOW
    : deny(`a gateway's client id must be ${own} or ${own}/<suffix>`);
}
