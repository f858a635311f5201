import type { PoolClient } from 'pg';
import { clockOffset } from '../domain/time-horizon';
import { isWebGateway } from './commit-waiters';
import { groupBy, toDate, type Msg } from './write-series';
import type { DecodedMessage } from '@takt/protocol';

/**
 * The newest status per gateway. A stored status_at beyond the horizon (`implausibleAfter`,
 * written before the horizon existed) never holds a real one back (domain/time-horizon.ts
 * `supersedes`), so a status stamped 2036 cannot hide the last will.
 */
export async function upsertGateways(
  client: PoolClient,
  statuses: Msg<'status'>[],
  implausibleAfter: Date,
): Promise<void> {
  const latest = [...groupBy(statuses, (s) => s.gatewayId).values()].map((list) =>
    list.reduce((a, b) => (b.payload.ts >= a.payload.ts ? b : a)),
  );
  if (latest.length === 0) return;
  await client.query(
    // The heartbeat comes with a birth; a last will (composed at connect) leaves it as it was.
    `INSERT INTO gateways (id, site_id, status, status_at, version, devices, last_seen_at, heartbeat_ms,
                           config_version, queue_depth, queue_oldest_at, queue_lost, arch)
     SELECT u.id, u.site, u.status, u.at, u.version, u.devices::jsonb, now(), u.heartbeat,
            u.config, u.depth, u.oldest, u.lost, u.arch
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $8::integer[],
                   $9::text[], $10::int8[], $11::timestamptz[], $12::int8[], $13::text[])
            AS u(id, site, status, at, version, devices, heartbeat, config, depth, oldest, lost, arch)
     ON CONFLICT (id) DO UPDATE SET
       site_id = EXCLUDED.site_id, status = EXCLUDED.status, status_at = EXCLUDED.status_at,
       version = coalesce(EXCLUDED.version, gateways.version),
       devices = coalesce(EXCLUDED.devices, gateways.devices), last_seen_at = now(),
       heartbeat_ms = CASE WHEN EXCLUDED.status = 'online' THEN EXCLUDED.heartbeat_ms ELSE gateways.heartbeat_ms END,
       -- Health (migration 048) comes with a birth; a last will leaves the last one known.
       config_version = coalesce(EXCLUDED.config_version, gateways.config_version),
       queue_depth = CASE WHEN EXCLUDED.status = 'online' THEN EXCLUDED.queue_depth ELSE gateways.queue_depth END,
       queue_oldest_at = CASE WHEN EXCLUDED.status = 'online' THEN EXCLUDED.queue_oldest_at ELSE gateways.queue_oldest_at END,
       queue_lost = coalesce(EXCLUDED.queue_lost, gateways.queue_lost),
       arch = coalesce(EXCLUDED.arch, gateways.arch) -- migration 050, agent updates
     WHERE gateways.status_at IS NULL OR gateways.status_at <= EXCLUDED.status_at
        OR gateways.status_at > $7`,
    [
      latest.map((s) => s.gatewayId),
      latest.map((s) => s.site),
      latest.map((s) => s.payload.status),
      latest.map((s) => toDate(s.payload.ts)),
      latest.map((s) => s.payload.version ?? null),
      latest.map((s) => (s.payload.devices ? JSON.stringify(s.payload.devices) : null)),
      implausibleAfter,
      latest.map((s) => s.payload.heartbeatMs ?? null),
      latest.map((s) => s.payload.configVersion ?? null),
      latest.map((s) => s.payload.queue?.pending ?? null),
      latest.map((s) =>
        s.payload.queue?.oldestAt === undefined ? null : toDate(s.payload.queue.oldestAt),
      ),
      latest.map((s) => s.payload.queue?.lost ?? null),
      latest.map((s) => s.payload.arch ?? null),
    ],
  );
}

export interface ClockSighting {
  message: DecodedMessage;
  receivedAtMs: number;
  retained: boolean;
}

/**
 * Each gateway's clock offset as its latest telling message in the batch shows it, on the
 * gateway row (`clock_offset_ms`, `clock_checked_at`), for every message kind: what
 * `/api/health` reports per gateway (issue 6).
 */
export async function recordClockOffsets(
  client: PoolClient,
  sightings: readonly ClockSighting[],
): Promise<void> {
  const latest = new Map<string, { site: string; offsetMs: number; at: number }>();
  for (const { message, receivedAtMs, retained } of sightings) {
    if (isWebGateway(message.gatewayId)) continue; // a station's browser is not a gateway row
    const offsetMs = clockOffset(message.kind, message.payload.ts, receivedAtMs, retained);
    if (offsetMs === undefined) continue;
    const seen = latest.get(message.gatewayId);
    if (!seen || seen.at <= receivedAtMs)
      latest.set(message.gatewayId, { site: message.site, offsetMs, at: receivedAtMs });
  }
  if (latest.size === 0) return;
  const rows = [...latest].sort(([a], [b]) => (a < b ? -1 : 1)); // a fixed lock order
  await client.query(
    `INSERT INTO gateways (id, site_id, clock_offset_ms, clock_checked_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::timestamptz[])
     ON CONFLICT (id) DO UPDATE SET
       clock_offset_ms = EXCLUDED.clock_offset_ms, clock_checked_at = EXCLUDED.clock_checked_at
     WHERE gateways.clock_checked_at IS NULL OR gateways.clock_checked_at <= EXCLUDED.clock_checked_at`,
    [
      rows.map(([id]) => id),
      rows.map(([, r]) => r.site),
      rows.map(([, r]) => Math.round(r.offsetMs)),
      rows.map(([, r]) => toDate(r.at)),
    ],
  );
}
