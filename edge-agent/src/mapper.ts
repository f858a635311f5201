import type { DeviceConfig, MachineState, Reading, ScanPayload } from '@takt/protocol';
import type { TagBase, TagReading } from './drivers/types';

type ScanBody = Omit<ScanPayload, 'v' | 'seq' | 'ts'>;

/** A message to publish, before the publisher stamps `v`, `seq` and `ts`. */
export type OutMessage =
  | { machineId: string; kind: 'metrics'; body: { readings: Reading[] } }
  | {
      machineId: string;
      kind: 'state';
      body: { state: MachineState; code?: number; reason?: string };
    }
  | { machineId: string; kind: 'count'; body: { good: number; reject: number; rollover?: number } }
  | { machineId: string; kind: 'scan'; body: ScanBody };

interface SentValue {
  value: Reading['value'];
  quality: Reading['quality'];
  sentAt: number;
}

/** What was last sent per machine, for change detection and heartbeats. */
export interface MachineMemory {
  state?: { state: MachineState; code: number | undefined; sentAt: number };
  counts?: { good: number; reject: number; sentAt: number };
  metrics?: Map<string, SentValue>;
}

export interface DeviceTags {
  machine?: string | undefined;
  tags: readonly TagBase[];
}

/** The tags a device's readings are mapped with; a scanner has the one fixed tag `scan`. */
export function deviceTags(device: DeviceConfig): DeviceTags {
  if (device.driver === 'serial-scanner')
    return { machine: device.machine, tags: [{ name: 'scan', channel: 'scan' }] };
  return device;
}

interface MachineBucket {
  metrics: { reading: Reading; deadband: number | undefined }[];
  state?: { state: MachineState; code?: number; reason?: string };
  good?: TagReading;
  reject?: TagReading;
  scans: ScanBody[];
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
    if (!bucket) buckets.set(machineId, (bucket = { metrics: [], scans: [] }));
    switch (tag.channel) {
      case 'metric':
        bucket.metrics.push({
          reading: {
            tag: tag.name,
            value: reading.value,
            ts: reading.ts,
            quality: reading.quality,
            ...(tag.unit ? { unit: tag.unit } : {}),
          },
          deadband: tag.deadband,
        });
        break;
      case 'state':
        bucket.state = stateFrom(tag, reading);
        break;
      case 'count.good':
        bucket.good = reading;
        break;
      case 'count.reject':
        bucket.reject = reading;
        break;
      case 'scan':
        if (typeof reading.value === 'string')
          bucket.scans.push({ code: reading.value, ...reading.scan });
        break;
    }
  }
  return buckets;
}

/** Report by exception: has this value moved enough since it was last sent? */
export function shouldSend(
  prev: SentValue | undefined,
  reading: Reading,
  deadband: number | undefined,
  now: number,
  heartbeatMs: number,
): boolean {
  if (deadband === undefined || !prev) return true;
  if (prev.quality !== reading.quality || now - prev.sentAt >= heartbeatMs) return true;
  if (typeof prev.value === 'number' && typeof reading.value === 'number') {
    return deadband === 0
      ? prev.value !== reading.value
      : Math.abs(reading.value - prev.value) > deadband;
  }
  return prev.value !== reading.value;
}

function countValue(reading: TagReading | undefined): number | undefined {
  return reading?.quality === 'good' && typeof reading.value === 'number'
    ? reading.value
    : undefined;
}

function mapMetrics(
  bucket: MachineBucket,
  mem: MachineMemory,
  now: number,
  heartbeatMs: number,
): Reading[] {
  const sent = (mem.metrics ??= new Map());
  const out: Reading[] = [];
  for (const { reading, deadband } of bucket.metrics) {
    if (!shouldSend(sent.get(reading.tag), reading, deadband, now, heartbeatMs)) continue;
    out.push(reading);
    sent.set(reading.tag, { value: reading.value, quality: reading.quality, sentAt: now });
  }
  return out;
}

/**
 * Readings of one device -> the messages to publish. Metrics go every reading, or by
 * exception when the tag has a deadband; state and counts go when they change or when
 * `heartbeatMs` has passed; every scan goes. Updates `memory` with what it decided to send.
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
    const metrics = mapMetrics(bucket, mem, now, heartbeatMs);
    if (metrics.length > 0) out.push({ machineId, kind: 'metrics', body: { readings: metrics } });
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
    // Push drivers deliver changes one by one: a lone reject change goes with the last good.
    const good = countValue(bucket.good) ?? (bucket.reject ? mem.counts?.good : undefined);
    if (good !== undefined) {
      const hasRejectTag = device.tags.some(
        (t) => t.channel === 'count.reject' && (t.machine ?? device.machine) === machineId,
      );
      // Without a reject tag rejects are 0. With one, an unknown reject value (bad read, or not
      // pushed yet) is the last value sent, or no count is sent: a made-up 0 would look like
      // a counter reset to ingest and count the pieces twice.
      const reject = hasRejectTag ? (countValue(bucket.reject) ?? mem.counts?.reject) : 0;
      const prev = mem.counts;
      if (
        reject !== undefined &&
        (!prev || prev.good !== good || prev.reject !== reject || now - prev.sentAt >= heartbeatMs)
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
    for (const scan of bucket.scans) out.push({ machineId, kind: 'scan', body: scan });
  }
  return out;
}
