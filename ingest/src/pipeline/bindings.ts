import type { DecodedMessage } from '@takt/protocol';
import type { DeadLetter } from './dead-letters';
import { deadLetter } from './quarantine';

/**
 * Scans a station's browser sends through ingest's own route carry the gateway id
 * `web:<device>` (docs/decisions.md "Issue 17 — the operator station"). That route has
 * authorised them already, and `:` cannot occur in an MQTT gateway id (protocol/src/ids.ts
 * `ID_PATTERN`), so no gateway can pass itself off as a browser.
 */
export const STATION_BROWSER_PREFIX = 'web:';

/** Machine id → the gateway that speaks for it. */
export type Bindings = ReadonlyMap<string, string>;

/**
 * The machine (or station) whose binding a message is judged by, or undefined when it is not
 * judged: a status (a gateway's own birth or will) and a station browser's scan.
 */
export function boundSubject(message: DecodedMessage): string | undefined {
  if (message.kind === 'status') return undefined;
  if (message.gatewayId.startsWith(STATION_BROWSER_PREFIX)) return undefined;
  return message.machineId;
}

/** The machines and stations messages are judged by, sorted (a fixed lock order). */
export function subjectsOf(messages: readonly DecodedMessage[]): string[] {
  const ids = new Set<string>();
  for (const m of messages) {
    const id = boundSubject(m);
    if (id !== undefined) ids.add(id);
  }
  return [...ids].sort();
}

/**
 * For each machine not bound yet, the gateway that claims it: the one of its first message
 * in the batch (batch order is arrival order), since the batch is stored in one transaction.
 */
export function firstSightClaims(
  messages: readonly DecodedMessage[],
  bound: Bindings,
): Map<string, string> {
  const claims = new Map<string, string>();
  for (const m of messages) {
    const id = boundSubject(m);
    if (id === undefined || bound.has(id) || claims.has(id)) continue;
    claims.set(id, m.gatewayId);
  }
  return claims;
}

/** Why a message was refused: its machine speaks through another gateway. */
export function foreignReason(message: DecodedMessage, owner: string | undefined): string {
  const what = message.kind === 'scan' ? 'station' : 'machine';
  const id = message.kind === 'status' ? '' : message.machineId;
  return owner === undefined
    ? `${what} ${id} is bound to no gateway`
    : `${what} ${id} belongs to gateway ${owner}, not ${message.gatewayId}`;
}

/**
 * Splits messages into what its gateway may say and what it may not: a message for a machine
 * bound to another gateway (or, failing closed, to none) becomes a dead letter with the
 * reason and changes nothing. Pure: no I/O.
 */
export function judgeBindings(
  messages: readonly DecodedMessage[],
  bound: Bindings,
): { kept: DecodedMessage[]; refused: DeadLetter[] } {
  const kept: DecodedMessage[] = [];
  const refused: DeadLetter[] = [];
  for (const m of messages) {
    const id = boundSubject(m);
    const owner = id === undefined ? undefined : bound.get(id);
    if (id === undefined || owner === m.gatewayId) kept.push(m);
    else refused.push(deadLetter(m, m.payload, foreignReason(m, owner)));
  }
  return { kept, refused };
}
