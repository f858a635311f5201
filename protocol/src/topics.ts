import { ID_PATTERN } from './ids';

/** Root of every Takt topic; the version lets a v2 wire live beside v1 on one broker. */
export const TOPIC_ROOT = 'takt/v1';

export const MACHINE_MESSAGE_KINDS = ['metrics', 'state', 'count', 'scan'] as const;
export type MachineMessageKind = (typeof MACHINE_MESSAGE_KINDS)[number];
export type MessageKind = MachineMessageKind | 'status';

export type ParsedTopic =
  | { kind: 'status'; site: string; gatewayId: string }
  | { kind: MachineMessageKind; site: string; gatewayId: string; machineId: string };

export type TopicParseResult = { ok: true; topic: ParsedTopic } | { ok: false; reason: string };

function assertId(what: string, value: string): void {
  if (!ID_PATTERN.test(value)) throw new Error(`invalid ${what} "${value}" for a topic level`);
}

/** Builders: the only way a topic string is made (docs/architecture.md "Conventions" 3). */
export const topics = {
  status(site: string, gatewayId: string): string {
    assertId('site', site);
    assertId('gatewayId', gatewayId);
    return `${TOPIC_ROOT}/${site}/${gatewayId}/status`;
  },
  machine(site: string, gatewayId: string, machineId: string, kind: MachineMessageKind): string {
    assertId('site', site);
    assertId('gatewayId', gatewayId);
    assertId('machineId', machineId);
    return `${TOPIC_ROOT}/${site}/${gatewayId}/${machineId}/${kind}`;
  },
  /** Everything one gateway may publish: the broker's ACL is this prefix. */
  gatewaySubtree(site: string, gatewayId: string): string {
    assertId('site', site);
    assertId('gatewayId', gatewayId);
    return `${TOPIC_ROOT}/${site}/${gatewayId}/#`;
  },
  /**
   * Ingest -> one gateway: what ingest has committed (issue 4, docs/decisions.md "Delivery
   * guarantees"). Fixed: the broker's ACL lets only that gateway subscribe to it.
   */
  ack(site: string, gatewayId: string): string {
    assertId('site', site);
    assertId('gatewayId', gatewayId);
    return `${TOPIC_ROOT}/${site}/${gatewayId}/ack`;
  },
  /** What ingest subscribes to. */
  all: `${TOPIC_ROOT}/#`,
} as const;

/**
 * Topics that flow to a gateway (its `ack`, later its `cmd/#`), not from it: ingest hears
 * them on `takt/v1/#` and skips them; they are neither data nor dead letters.
 */
export function isToGatewayTopic(topic: string): boolean {
  const levels = topic.split('/');
  if (levels.length < 5 || `${levels[0]}/${levels[1]}` !== TOPIC_ROOT) return false;
  return (levels.length === 5 && levels[4] === 'ack') || levels[4] === 'cmd';
}

export function parseTopic(topic: string): TopicParseResult {
  const prefix = `${TOPIC_ROOT}/`;
  if (!topic.startsWith(prefix)) return { ok: false, reason: `topic is not under ${TOPIC_ROOT}/` };
  const levels = topic.slice(prefix.length).split('/');
  for (const level of levels.slice(0, -1)) {
    if (!ID_PATTERN.test(level)) return { ok: false, reason: `invalid topic level "${level}"` };
  }
  const [site, gatewayId] = levels as [string, string];
  if (levels.length === 3 && levels[2] === 'status') {
    return { ok: true, topic: { kind: 'status', site, gatewayId } };
  }
  if (levels.length === 4) {
    const kind = levels[3] as MachineMessageKind;
    if ((MACHINE_MESSAGE_KINDS as readonly string[]).includes(kind)) {
      return { ok: true, topic: { kind, site, gatewayId, machineId: levels[2]! } };
    }
    return { ok: false, reason: `unknown message kind "${levels[3]}"` };
  }
  return {
    ok: false,
    reason: `expected ${TOPIC_ROOT}/<site>/<gateway>/status or .../<machine>/<kind>`,
  };
}
