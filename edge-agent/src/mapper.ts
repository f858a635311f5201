import type { MachineState, Reading } from '@takt/protocol';
import type { TagBase, TagReading } from './drivers/types';

/** A message to publish, before the publisher stamps `v`, `seq` and `ts`. */
export type OutMessage =
  | { machineId: string; kind: 'metrics'; body: { readings: Reading[] } }
  | {
      machineId: string;
      kind: 'state';
      body: { state: MachineState; code?: number; reason?: string };
    }
  | { machineId: string; kind: 'count'; body: { good: number; reject: number; rollover?: number } };

/** What was last sent per machine, for change detection and heartbeats. */
export interface MachineMemory {
  state?: { state: MachineState; code: number | undefined; sentAt: number };
  counts?: { good: number; reject: number; sentAt: number };
}

export interface DeviceTags {
  machine?: string | undefined;
  tags: readonly TagBase[];
}

interface MachineBucket {
  metrics: Reading[];
  state?: { state: MachineState; code?: number; reason?: string };
  good?: TagReading;
  reject?: TagReading;
}

function stateFrom(tag: TagBase, reading: TagReading): NonNullable<MachineBucket['state']> {
  if (reading.quality !== 'good' || typeof reading.value !== 'number') {
    return { state: 'unknown', reason: 'no_data' }; // unknown never counts as running
  }
  const code = reading.value;
  const state = tag.states?.[String(code)];
  return state ? { state, code } : { state: 'unknown', code, reason: 'unmapped_code' };
}

function bucketReadings(
  device: DeviceTags,
  readings: readonly TagReading[],
): Map<string, MachineBucket> {
  const byName = new Map(device.tags.map((t) => [t.name, t]));
  const buckets = new Map<string, MachineBucket>();
  for (const reading of readings) {
    const tag = byName.get(reading.tag);
    const machineId = tag?.machine ?? device.machine;
    if (!tag || !machineId) continue;
    let bucket = buckets.get(machineId);
    if (!bucket) buckets.set(machineId, (bucket = { metrics: [] }));
    if (tag.channel === 'metric') {
      bucket.metrics.push({
        tag: tag.name,
        value: reading.value,
        ts: reading.ts,
        quality: reading.quality,
        ...(tag.unit ? { unit: tag.unit } : {}),
      });
    } else if (tag.channel === 'state') bucket.state = stateFrom(tag, reading);
    else if (tag.channel === 'count.good') bucket.good = reading;
    else bucket.reject = reading;
  }
  return buckets;
}

function countValue(reading: TagReading | undefined): number | undefined {
  return reading?.quality === 'good' && typeof reading.value === 'number'
    ? reading.value
    : undefined;
}

/**
 * One device poll -> the messages to publish. Metrics go every poll; state and counts go
 * when they change or when `heartbeatMs` has passed since they were last sent. Updates
 * `memory` in place with what it decided to send.
 */
export function mapReadings(
  device: DeviceTags,
  readings: readonly TagReading[],
  memory: Map<string, MachineMemory>,
  now: number,
  heartbeatMs: number,
): OutMessage[] {
  const out: OutMessage[] = [];
  for (const [machineId, bucket] of bucketReadings(device, readings)) {
    let mem = memory.get(machineId);
    if (!mem) memory.set(machineId, (mem = {}));
    if (bucket.metrics.length > 0)
      out.push({ machineId, kind: 'metrics', body: { readings: bucket.metrics } });
    if (bucket.state) {
      const prev = mem.state;
      if (
        !prev ||
        prev.state !== bucket.state.state ||
        prev.code !== bucket.state.code ||
        now - prev.sentAt >= heartbeatMs
      ) {
        out.push({ machineId, kind: 'state', body: bucket.state });
        mem.state = { state: bucket.state.state, code: bucket.state.code, sentAt: now };
      }
    }
    const good = countValue(bucket.good);
    if (good !== undefined) {
      const reject = countValue(bucket.reject) ?? mem.counts?.reject ?? 0;
      const prev = mem.counts;
      if (
        !prev ||
        prev.good !== good ||
        prev.reject !== reject ||
        now - prev.sentAt >= heartbeatMs
      ) {
        const rollover = bucket.good?.rollover;
        out.push({
          machineId,
          kind: 'count',
          body: { good, reject, ...(rollover ? { rollover } : {}) },
        });
        mem.counts = { good, reject, sentAt: now };
      }
    }
  }
  return out;
}
