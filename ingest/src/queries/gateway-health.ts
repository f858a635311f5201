import {
  QUALITIES,
  type GatewayDetail,
  type GatewaySummary,
  type GatewayTag,
} from '@takt/protocol';
import type { Pool } from 'pg';
import { isSkewed } from '../domain/time-horizon';

/**
 * A gateway whose latest status is `online` but older than this is shown offline: the agent
 * sends one every 10 s (edge-agent/src/publisher.ts), so this is three missed. A crashed
 * agent's last will does not do it: it is stamped at connect, older than the statuses since,
 * and the newest `ts` wins (docs/decisions.md "Issue 25 — gateway health").
 */
export const STALE_AFTER_S = 30;

interface GatewayRow {
  id: string;
  online: boolean;
  last_seen_at: Date | null;
  version: string | null;
  config_version: string | null;
  arch: string | null;
  queue_depth: string | null;
  queue_oldest_at: Date | null;
  queue_lost: string | null;
  clock_offset_ms: string | null;
  devices: { id: string; connected: boolean; machines?: string[] }[] | null;
  dead: string;
}

const num = (v: string | null): number | null => (v === null ? null : Number(v));

function view(r: GatewayRow): GatewaySummary {
  const offset = num(r.clock_offset_ms);
  return {
    id: r.id,
    online: r.online,
    lastSeenAt: r.last_seen_at?.toISOString() ?? null,
    agentVersion: r.version,
    configVersion: r.config_version,
    arch: r.arch,
    queueDepth: num(r.queue_depth),
    // An empty queue has no oldest message, whatever the last known one was.
    oldestUnackedAt: num(r.queue_depth) ? (r.queue_oldest_at?.toISOString() ?? null) : null,
    queueLost: num(r.queue_lost),
    clockOffsetMs: offset,
    clockSkewed: offset !== null && isSkewed(offset),
    devices: (r.devices ?? []).map((d) => ({
      id: d.id,
      connected: d.connected,
      machines: d.machines ?? [],
    })),
    deadLetters24h: Number(r.dead),
  };
}

const SELECT = `
  SELECT g.id, (g.status = 'online' AND g.last_seen_at > now() - make_interval(secs => $1)) AS online,
         g.last_seen_at, g.version, g.config_version, g.arch, g.queue_depth, g.queue_oldest_at, g.queue_lost,
         g.clock_offset_ms, g.devices,
         (SELECT count(*) FROM dead_letters d
           WHERE d.gateway_id = g.id AND d.received_at > now() - interval '24 hours') AS dead
    FROM gateways g`;

/** Every gateway's health (migration 048), by id. A station's browser (`web:…`) has no row. */
export async function readGateways(pool: Pool): Promise<GatewaySummary[]> {
  const { rows } = await pool.query<GatewayRow>(`${SELECT} ORDER BY g.id`, [STALE_AFTER_S]);
  return rows.map(view);
}

/** One gateway with the latest value of each tag of its devices' machines; undefined if unknown. */
export async function readGateway(pool: Pool, id: string): Promise<GatewayDetail | undefined> {
  const { rows } = await pool.query<GatewayRow>(`${SELECT} WHERE g.id = $2`, [STALE_AFTER_S, id]);
  const row = rows[0];
  if (!row) return undefined;
  const gateway = view(row);
  const machines = [...new Set(gateway.devices.flatMap((d) => d.machines))];
  const values = await pool.query<{
    machine_id: string;
    tag: string;
    time: Date;
    value: number | null;
    value_text: string | null;
    value_kind: string;
    quality: number;
    unit: string | null;
  }>(
    `SELECT machine_id, tag, time, value, value_text, value_kind, quality, unit
       FROM machine_values WHERE machine_id = ANY($1::text[]) ORDER BY machine_id, tag`,
    [machines],
  );
  const tags: GatewayTag[] = values.rows.map((v) => ({
    machine: v.machine_id,
    tag: v.tag,
    value:
      v.value_kind === 'boolean'
        ? v.value === 1
        : v.value_kind === 'string'
          ? v.value_text
          : v.value_kind === 'number'
            ? v.value
            : null,
    unit: v.unit,
    quality: QUALITIES[v.quality] ?? 'bad',
    time: v.time.toISOString(),
  }));
  return { ...gateway, tags };
}
