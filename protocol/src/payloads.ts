import { z } from 'zod';
import { idSchema } from './ids';

/**
 * Wire payloads, version 1. Every one is JSON. Times are epoch milliseconds (UTC), as in
 * Sparkplug B, so that an edge clock is never re-parsed. Objects are not strict: a newer
 * edge may add fields within v1 and an older ingest ignores them; a breaking change bumps
 * `v` and the topic root.
 */
export const epochMsSchema = z.number().int().min(0).max(8.64e15);
export const seqSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * Text on the wire: PostgreSQL text cannot hold U+0000, and PLC string buffers often carry
 * NULs, so they are refused here (a dead letter with a reason) rather than failing a batch.
 */
export const wireText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !s.includes('\0'), 'must not contain NUL characters');

/** A counter or total: an integer PostgreSQL's bigint and JavaScript both hold exactly. */
const safeCount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const QUALITIES = ['good', 'uncertain', 'bad'] as const;
export const qualitySchema = z.enum(QUALITIES);
export type Quality = z.infer<typeof qualitySchema>;

/**
 * What the PLC and counts show (docs/production-model.md): `idle` is stopped without a fault
 * (waiting for material, an operator or an order), `down` is stopped by a fault.
 * `unknown` means no data (device unreachable, gateway dead) and never counts as running.
 */
export const MACHINE_STATES = [
  'running',
  'reduced_speed',
  'microstop',
  'idle',
  'down',
  'unknown',
] as const;
export const machineStateSchema = z.enum(MACHINE_STATES);
export type MachineState = z.infer<typeof machineStateSchema>;

const envelope = {
  v: z.literal(1),
  /** The gateway's message counter: monotonic, persisted across restarts; ingest dedupes on it. */
  seq: seqSchema,
  /** When the message was built at the edge. */
  ts: epochMsSchema,
};

export const readingValueSchema = z.union([
  z.number().refine(Number.isFinite, 'must be a finite number'),
  z.boolean(),
  wireText(256),
  z.null(),
]);
export type ReadingValue = z.infer<typeof readingValueSchema>;

export const readingSchema = z.object({
  tag: idSchema,
  value: readingValueSchema,
  /** When the value was read (source time). */
  ts: epochMsSchema,
  quality: qualitySchema,
  unit: wireText(16).optional(),
});
export type Reading = z.infer<typeof readingSchema>;

export const metricsPayloadSchema = z.object({
  ...envelope,
  readings: z.array(readingSchema).min(1).max(5000),
});
export type MetricsPayload = z.infer<typeof metricsPayloadSchema>;

export const statePayloadSchema = z.object({
  ...envelope,
  state: machineStateSchema,
  /** The raw PLC state code, when the state came from one. */
  code: z
    .number()
    .int()
    .min(-(2 ** 31))
    .max(2 ** 31 - 1)
    .optional(), // PostgreSQL integer
  reason: wireText(64).optional(),
});
export type StatePayload = z.infer<typeof statePayloadSchema>;

export const countPayloadSchema = z.object({
  ...envelope,
  /** Absolute counter values as the PLC holds them, never deltas (docs/decisions.md "Wire format"). */
  good: safeCount,
  reject: safeCount,
  /**
   * The counter's modulus when it wraps (65536 for a 16-bit register); ingest tells a
   * wrap from a reset with it. Absent: the counter does not wrap, so a drop is a reset.
   */
  rollover: z.number().int().min(2).optional(),
});
export type CountPayload = z.infer<typeof countPayloadSchema>;

export const scanPayloadSchema = z.object({
  ...envelope,
  code: wireText(256).min(1),
  workOrder: wireText(64).optional(),
  operation: wireText(64).optional(),
  action: wireText(32).optional(),
  reason: wireText(64).optional(),
  operator: wireText(64).optional(),
  /** Pieces reported by hand (`action: good | reject`): a number, or digits from a barcode. */
  quantity: z
    .union([z.number().int().min(1).max(999_999), z.string().regex(/^[1-9]\d{0,5}$/)])
    .optional(),
});
export type ScanPayload = z.infer<typeof scanPayloadSchema>;

export const deviceStatusSchema = z.object({
  id: idSchema,
  connected: z.boolean(),
  /** The machines (and stations) its tags belong to (docs/decisions.md "Issue 25 — gateway health"). */
  machines: z.array(idSchema).max(1000).optional(),
});

/**
 * Birth (retained, `online`) and last will (`offline`). Status is retained state, not an
 * event: it is idempotent (the newest `ts` wins), so it carries no `seq`.
 */
export const statusPayloadSchema = z.object({
  v: z.literal(1),
  ts: epochMsSchema,
  status: z.enum(['online', 'offline']),
  version: wireText(32).optional(),
  startedAt: epochMsSchema.optional(),
  uptimeS: z.number().int().min(0).optional(),
  devices: z.array(deviceStatusSchema).optional(),
  /** The disk queue (issue 4): readings waiting for ingest's ack, and those dropped on overflow. */
  queue: z
    .object({
      pending: safeCount,
      bytes: safeCount,
      /** Messages dropped by the overflow policy since the queue was created: never silent. */
      lost: safeCount,
      /** When the oldest message still waiting for an ack was stamped (docs/decisions.md "Issue 25 — gateway health"). */
      oldestAt: epochMsSchema.optional(),
    })
    .optional(),
  /**
   * Which config a gateway runs (edge-agent/src/health.ts `reportedConfigVersion`): `v<N>` when
   * it runs remote configuration's version N unchanged, else a short sha256 of the running
   * config's canonical content.
   */
  configVersion: z
    .string()
    .regex(/^(?:[0-9a-f]{8,64}|v\d{1,9})$/)
    .optional(),
  /** The package architecture the agent runs on (`arm64`, `armv7`, `x64`; edge-agent/src/health.ts). */
  arch: wireText(16).optional(),
  /** Edge clock minus ingest's clock, from the last ack, when known. */
  clockOffsetMs: z.number().int().optional(),
  /**
   * The gateway's `heartbeatMs`: unchanged states are re-sent at least this often, so
   * ingest holds a state that long before calling the machine's time no data.
   */
  heartbeatMs: z.number().int().positive().max(86_400_000).optional(),
});
export type StatusPayload = z.infer<typeof statusPayloadSchema>;

/** An inclusive range of seqs, `[from, to]`. */
export const seqRangeSchema = z
  .tuple([seqSchema, seqSchema])
  .refine(([from, to]) => from <= to, 'range must be [from, to] with from <= to');
export type SeqRange = z.infer<typeof seqRangeSchema>;

/**
 * Ingest -> gateway on `topics.ack` (QoS 1), after each committed batch: the seqs of that
 * gateway the batch made durable (stored now, stored before, or kept as dead letters).
 * A gateway deletes a queued message only once an ack covers its seq. `ts` is ingest's
 * clock, so the gateway can see how far off its own clock is.
 */
export const ackPayloadSchema = z.object({
  v: z.literal(1),
  ts: epochMsSchema,
  ranges: z.array(seqRangeSchema).min(1).max(100_000),
});
export type AckPayload = z.infer<typeof ackPayloadSchema>;

/** Sorted, merged inclusive ranges covering `seqs` (any order, repeats allowed). */
export function toSeqRanges(seqs: Iterable<number>): SeqRange[] {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const ranges: SeqRange[] = [];
  for (const seq of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && seq === last[1] + 1) last[1] = seq;
    else ranges.push([seq, seq]);
  }
  return ranges;
}

export const payloadSchemas = {
  metrics: metricsPayloadSchema,
  state: statePayloadSchema,
  count: countPayloadSchema,
  scan: scanPayloadSchema,
  status: statusPayloadSchema,
  ack: ackPayloadSchema,
} as const;

export type PayloadByKind = {
  metrics: MetricsPayload;
  state: StatePayload;
  count: CountPayload;
  scan: ScanPayload;
  status: StatusPayload;
  ack: AckPayload;
};
