import type { Pool } from 'pg';
import { isSkewed } from '../domain/time-horizon';

/** One dead letter as `GET /api/dead-letters` answers it (issue 9). */
export interface DeadLetterView {
  id: number;
  receivedAt: string;
  gateway: string | null;
  topic: string;
  reason: string;
  /** The payload's first EXCERPT_BYTES as text (see payloadExcerpt). */
  payloadExcerpt: string;
}

export const EXCERPT_BYTES = 400;

/**
 * The first bytes of a payload as text a browser can show as is: invalid UTF-8 becomes
 * U+FFFD, control characters other than tab and newlines become U+FFFD (they can hide text or
 * break a terminal), a character cut at the end is dropped, and `…` marks a cut. The answer
 * is JSON, so nothing in it is markup.
 */
export function payloadExcerpt(payload: Uint8Array, maxBytes = EXCERPT_BYTES): string {
  const cut = payload.length > maxBytes;
  let text = new TextDecoder('utf-8', { fatal: false }).decode(payload.subarray(0, maxBytes));
  if (cut) text = text.replace(/\uFFFD$/, ''); // a multi-byte character split by the cut
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  text = text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, '\uFFFD');
  return cut ? `${text}…` : text;
}

export interface DeadLetterQuery {
  gateway?: string | undefined;
  fromMs: number;
  toMs: number;
  limit: number;
}

/** Newest first, within [from, to), at most `limit`; one indexed read. */
export async function readDeadLetters(pool: Pool, q: DeadLetterQuery): Promise<DeadLetterView[]> {
  const { rows } = await pool.query<{
    id: string;
    received_at: Date;
    gateway_id: string | null;
    topic: string;
    reason: string;
    head: Buffer;
  }>(
    `SELECT id, received_at, gateway_id, topic, reason, substring(payload FROM 1 FOR $5) AS head
       FROM dead_letters
      WHERE received_at >= $1 AND received_at < $2 AND ($3::text IS NULL OR gateway_id = $3)
      ORDER BY received_at DESC, id DESC
      LIMIT $4`,
    [new Date(q.fromMs), new Date(q.toMs), q.gateway ?? null, q.limit, EXCERPT_BYTES + 1],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    receivedAt: r.received_at.toISOString(),
    gateway: r.gateway_id,
    topic: r.topic,
    reason: r.reason,
    payloadExcerpt: payloadExcerpt(r.head),
  }));
}

/** Per gateway: its status, how far off its clock was last seen, its dead letters of the last 24 h. */
export interface GatewayHealth {
  id: string;
  status: string | null;
  clockOffsetMs: number | null;
  clockCheckedAt: string | null;
  clockSkewed: boolean;
  deadLetters24h: number;
}

/**
 * What `/api/health` says about the gateways (issues 6 and 9). Dead letters whose topic names
 * no gateway count only in the total.
 */
export async function gatewayHealth(
  pool: Pool,
): Promise<{ gateways: GatewayHealth[]; deadLetters24h: number }> {
  const { rows } = await pool.query<{
    id: string | null;
    status: string | null;
    clock_offset_ms: string | null;
    clock_checked_at: Date | null;
    dead: string;
  }>(
    `WITH d AS (SELECT gateway_id, count(*) AS n FROM dead_letters
                 WHERE received_at > now() - interval '24 hours' GROUP BY gateway_id)
     SELECT coalesce(g.id, d.gateway_id) AS id, g.status, g.clock_offset_ms, g.clock_checked_at,
            coalesce(d.n, 0) AS dead
       FROM gateways g FULL JOIN d ON d.gateway_id = g.id
      ORDER BY 1 NULLS LAST`,
  );
  const gateways = rows
    .filter((r): r is typeof r & { id: string } => r.id !== null)
    .map((r) => {
      const offset = r.clock_offset_ms === null ? null : Number(r.clock_offset_ms);
      return {
        id: r.id,
        status: r.status,
        clockOffsetMs: offset,
        clockCheckedAt: r.clock_checked_at?.toISOString() ?? null,
        clockSkewed: offset !== null && isSkewed(offset),
        deadLetters24h: Number(r.dead),
      };
    });
  return { gateways, deadLetters24h: rows.reduce((sum, r) => sum + Number(r.dead), 0) };
}
