import { formatIssues } from './issues';
import { payloadSchemas, type PayloadByKind } from './payloads';
import { parseTopic, type MachineMessageKind } from './topics';

export type DecodedMessage =
  | { kind: 'status'; site: string; gatewayId: string; payload: PayloadByKind['status'] }
  | {
      [K in MachineMessageKind]: {
        kind: K;
        site: string;
        gatewayId: string;
        machineId: string;
        payload: PayloadByKind[K];
      };
    }[MachineMessageKind];

export type DecodeResult = { ok: true; message: DecodedMessage } | { ok: false; reason: string };

/** Maximum payload ingest will parse; larger ones are rejected before JSON.parse. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

/** One decoder for every payload: a whole `decode` call resets it, even after an error. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Topic + raw bytes -> a validated message, or the reason it was rejected. */
export function decodeMessage(topic: string, payload: Uint8Array): DecodeResult {
  const parsed = parseTopic(topic);
  if (!parsed.ok) return { ok: false, reason: `topic: ${parsed.reason}` };
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return {
      ok: false,
      reason: `payload is ${payload.byteLength} bytes, over ${MAX_PAYLOAD_BYTES}`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(UTF8.decode(payload));
  } catch (error) {
    return { ok: false, reason: `payload is not JSON: ${(error as Error).message}` };
  }
  const { kind } = parsed.topic;
  const result = payloadSchemas[kind].safeParse(json);
  if (!result.success) {
    return { ok: false, reason: `${kind} payload: ${formatIssues(result.error)}` };
  }
  return { ok: true, message: { ...parsed.topic, payload: result.data } as DecodedMessage };
}

export function encodePayload<K extends keyof PayloadByKind>(
  kind: K,
  payload: PayloadByKind[K],
): string {
  // Validate on the way out too: an edge bug is caught at the edge, not in a dead-letter table.
  return JSON.stringify(payloadSchemas[kind].parse(payload));
}
