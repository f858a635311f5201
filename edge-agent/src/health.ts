import { createHash } from 'node:crypto';
import { payloadSchemas, type DeviceConfig } from '@takt/protocol';
import { deviceTags } from './mapper';
import type { DiskQueue, QueueStats } from './queue/disk-queue';

/** Hex digits of the sha256 kept: 48 bits, enough to tell a plant's configs apart. */
const CONFIG_VERSION_HEX = 12;

/** JSON with object keys sorted at every depth: the same content always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The version a gateway reports for the config it runs (docs/decisions.md "Issue 25 — gateway
 * health"): the first 12 hex digits of the sha256 of the parsed config's canonical JSON, so
 * comments, key order and whitespace in the YAML do not change it. Pass the config as the
 * schema parsed it (`gatewayConfigSchema`, defaults filled in), the same as the agent runs.
 */
export function configVersion(config: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(config))
    .digest('hex')
    .slice(0, CONFIG_VERSION_HEX);
}

export type QueueHealth = QueueStats & { oldestAt?: number };

/**
 * The disk queue's figures for the status message, with when the oldest message still
 * waiting for an ack was stamped (its payload's `ts`, read back from disk: one small read per
 * status, no per-message bookkeeping in memory).
 */
export function queueHealth(queue: DiskQueue): QueueHealth {
  const stats = queue.stats();
  const oldest = queue.oldestUnacked();
  if (!oldest) return stats;
  const ts = stampOf(oldest.payload);
  return ts === undefined ? stats : { ...stats, oldestAt: ts };
}

const stamped = payloadSchemas.metrics.pick({ ts: true });

function stampOf(payload: string): number | undefined {
  try {
    const parsed = stamped.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data.ts : undefined;
  } catch {
    return undefined; // a queued payload is always JSON we wrote; a torn one tells no time
  }
}

/** The machines (and stations) a device's tags belong to, for its line in the status. */
export function deviceMachines(device: DeviceConfig): string[] {
  const { machine, tags } = deviceTags(device);
  const ids = new Set<string>();
  for (const tag of tags) {
    const id = tag.machine ?? machine;
    if (id) ids.add(id);
  }
  return [...ids].sort();
}
