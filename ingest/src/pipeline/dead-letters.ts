import { ID_PATTERN, TOPIC_ROOT } from '@takt/protocol';
import type { PoolClient } from 'pg';

/** A payload kept with the reason it was refused (docs/decisions.md "Storage"). */
export interface DeadLetter {
  topic: string;
  payload: Buffer;
  reason: string;
}

/**
 * The gateway a topic names (`takt/v1/<site>/<gateway>/…`), if it names one: what
 * `GET /api/dead-letters?gateway=` and the health counts go by. A topic that is not Takt's
 * (or a level that is not an id) has none.
 */
export function gatewayOfTopic(topic: string): string | null {
  const levels = topic.split('/');
  if (levels.length < 4 || `${levels[0]}/${levels[1]}` !== TOPIC_ROOT) return null;
  return ID_PATTERN.test(levels[3]!) ? levels[3]! : null;
}

export async function insertDeadLetters(
  client: PoolClient,
  dead: readonly DeadLetter[],
): Promise<void> {
  if (dead.length === 0) return;
  await client.query(
    `INSERT INTO dead_letters (topic, payload, reason, gateway_id)
     SELECT * FROM unnest($1::text[], $2::bytea[], $3::text[], $4::text[])`,
    // PostgreSQL text cannot hold U+0000, and a parse error may quote the raw payload.
    [
      dead.map((d) => d.topic.replaceAll('\0', '\\0')),
      dead.map((d) => d.payload),
      dead.map((d) => d.reason.replaceAll('\0', '\\0')),
      dead.map((d) => gatewayOfTopic(d.topic)),
    ],
  );
}
