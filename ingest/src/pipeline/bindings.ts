import type { DecodedMessage } from '@takt/protocol';
import type { DeadLetter } from './dead-letters';
import { isWebGateway } from './commit-waiters';
import { deadLetter } from './quarantine';

/**
 * What a binding is of: a machine's data (metrics, state, count) or the scans of a station.
 * Both are named by the topic's machine level, and a station at a machine has the machine's
 * id, but its scanner may hang on another gateway than the machine's PLC.
 */
export type BindingRole = 'machine' | 'station';

export interface Subject {
  id: string;
  role: BindingRole;
}

/** `role/id`: ids cannot contain `/` (protocol/src/ids.ts). */
export const subjectKey = (s: Subject) => `${s.role}/${s.id}`;

/** Subject key → the gateway that speaks for it. */
export type Bindings = ReadonlyMap<string, string>;

/**
 * The machine or station whose binding a message is judged by, or undefined when it is not
 * judged: a status (a gateway's own birth or will) and a station browser's scan.
 */
export function boundSubject(message: DecodedMessage): Subject | undefined {
  if (message.kind === 'status') return undefined;
  // A station's browser (`web:<device>`, pipeline/commit-waiters.ts): ingest's own route has
  // authorised it, and `:` cannot occur in an MQTT gateway id (protocol/src/ids.ts ID_PATTERN).
  if (isWebGateway(message.gatewayId)) return undefined;
  return { id: message.machineId, role: message.kind === 'scan' ? 'station' : 'machine' };
}

/** The subjects messages are judged by, once each, sorted by key (a fixed lock order). */
export function subjectsOf(messages: readonly DecodedMessage[]): Subject[] {
  const byKey = new Map<string, Subject>();
  for (const m of messages) {
    const s = boundSubject(m);
    if (s) byKey.set(subjectKey(s), s);
  }
  return [...byKey].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, s]) => s);
}

/**
 * For each subject not bound yet, the gateway that claims it: the one of its first message
 * in the batch (batch order is arrival order), since the batch is stored in one transaction.
 */
export function firstSightClaims(
  messages: readonly DecodedMessage[],
  bound: Bindings,
): Map<string, Subject & { gateway: string }> {
  const claims = new Map<string, Subject & { gateway: string }>();
  for (const m of messages) {
    const s = boundSubject(m);
    if (!s) continue;
    const key = subjectKey(s);
    if (bound.has(key) || claims.has(key)) continue;
    claims.set(key, { ...s, gateway: m.gatewayId });
  }
  return claims;
}

/** Why a message was refused: its machine or station speaks through another gateway. */
export function foreignReason(
  subject: Subject,
  gateway: string,
  owner: string | undefined,
): string {
  return owner === undefined
    ? `${subject.role} ${subject.id} is bound to no gateway`
    : `${subject.role} ${subject.id} belongs to gateway ${owner}, not ${gateway}`;
}

/**
 * Splits messages into what its gateway may say and what it may not: a message for a machine
 * or station bound to another gateway (or, failing closed, to none) becomes a dead letter
 * with the reason and changes nothing. Pure: no I/O.
 */
export function judgeBindings(
  messages: readonly DecodedMessage[],
  bound: Bindings,
): { kept: DecodedMessage[]; refused: DeadLetter[] } {
  const kept: DecodedMessage[] = [];
  const refused: DeadLetter[] = [];
  for (const m of messages) {
    const s = boundSubject(m);
    const owner = s && bound.get(subjectKey(s));
    if (!s || owner === m.gatewayId) kept.push(m);
    else refused.push(deadLetter(m, m.payload, foreignReason(s, m.gatewayId, owner)));
  }
  return { kept, refused };
}
