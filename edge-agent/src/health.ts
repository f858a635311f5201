import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentArchOf, payloadSchemas, type AgentArch, type DeviceConfig } from '@takt/protocol';
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

/**
 * The config version the status reports (docs/decisions.md "Issue 25 — signed agent updates
 * (server)"): `v<N>` while the config file is, byte for byte, remote configuration's applied
 * version N (`<stateDir>/config-version` holds its number and sha256, edge-agent/src/
 * remote-config.ts); else, a local file or one edited since, `configVersion(config)`.
 */
export function reportedConfigVersion(
  config: unknown,
  remote: { file: string; stateDir: string } | undefined,
): string {
  const applied = remote && appliedRemoteVersion(remote.file, remote.stateDir);
  return applied === undefined ? configVersion(config) : `v${applied}`;
}

function appliedRemoteVersion(file: string, stateDir: string): number | undefined {
  try {
    const applied = JSON.parse(readFileSync(join(stateDir, 'config-version'), 'utf8')) as {
      version?: unknown;
      sha256?: unknown;
    };
    if (typeof applied.version !== 'number' || !Number.isSafeInteger(applied.version))
      return undefined;
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
    return sha256 === applied.sha256 ? applied.version : undefined;
  } catch {
    return undefined; // never pushed (no file) or unreadable: the hash says what runs
  }
}

/** The package architecture of this machine (scripts/package-edge.ts names), for the status. */
export function agentArch(): AgentArch | undefined {
  return agentArchOf(process.arch);
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
