import { z } from 'zod';
import { payloadSchemas } from './payloads';

export type WirePayloadKind = keyof typeof payloadSchemas;

/** Where each payload kind travels, for the schema's description (docs/wire.md "Topics"). */
const TOPIC_OF: Record<WirePayloadKind, string> = {
  metrics: 'takt/v1/<site>/<gateway>/<machine>/metrics (gateway → ingest, QoS 1)',
  state: 'takt/v1/<site>/<gateway>/<machine>/state (gateway → ingest, QoS 1)',
  count: 'takt/v1/<site>/<gateway>/<machine>/count (gateway → ingest, QoS 1)',
  scan: 'takt/v1/<site>/<gateway>/<station>/scan (gateway → ingest, QoS 1)',
  status: 'takt/v1/<site>/<gateway>/status (gateway → everyone, QoS 1, retained; also the will)',
  ack: 'takt/v1/<site>/<gateway>/ack (ingest → the gateway, QoS 1)',
};

/**
 * One JSON Schema (draft 2020-12) per wire payload kind, from the zod schemas that ingest and
 * the edge agent validate with (protocol/src/payloads.ts), for publishers that are not Takt's
 * agent. `npm run json-schema` writes them to docs/wire-schemas/<kind>.schema.json; a test fails
 * when the committed files are stale. Checks JSON Schema cannot say (no NUL in text, finite
 * numbers) are in the descriptions and in docs/wire.md.
 */
export function wireJsonSchemas(): Record<WirePayloadKind, Record<string, unknown>> {
  const out = {} as Record<WirePayloadKind, Record<string, unknown>>;
  for (const kind of Object.keys(payloadSchemas) as WirePayloadKind[]) {
    out[kind] = {
      ...z.toJSONSchema(payloadSchemas[kind], { io: 'input', unrepresentable: 'any' }),
      title: `Takt wire payload: ${kind} (v1)`,
      description:
        `Topic: ${TOPIC_OF[kind]}. UTF-8 JSON, at most 1 MiB. Text must not contain NUL ` +
        'characters. Reference: docs/wire.md',
    };
  }
  return out;
}
