import { z } from 'zod';
import { MACHINE_MODES } from './config/plant';
import { machineStateSchema, qualitySchema, readingValueSchema } from './payloads';

/**
 * What ingest serves to screens: `GET /api/machines` items and the socket.io events.
 * Times here are ISO 8601 strings (they are read by people and browsers).
 */
export const isoTimeSchema = z.iso.datetime({ offset: true });

export const tagValueSchema = z.object({
  value: readingValueSchema,
  unit: z.string().nullable(),
  quality: qualitySchema,
  at: isoTimeSchema,
});
export type TagValue = z.infer<typeof tagValueSchema>;

export const machineSnapshotSchema = z.object({
  id: z.string(),
  name: z.string(),
  line: z.string().nullable(),
  lineName: z.string().nullable(),
  site: z.string().nullable(),
  gatewayId: z.string().nullable(),
  state: machineStateSchema,
  stateReason: z.string().nullable(),
  stateSince: isoTimeSchema.nullable(),
  /** Pieces counted since the start of today in the plant's time zone. */
  counts: z.object({ good: z.number(), reject: z.number(), since: isoTimeSchema }),
  values: z.record(z.string(), tagValueSchema),
  lastSeenAt: isoTimeSchema.nullable(),
  /**
   * A screen shows it offline after this long without a message: 60 s, or three heartbeats
   * of its gateway when it declared a longer one in its birth (a gateway that sends on change).
   * Absent (an older server): 60 s.
   */
  staleAfterMs: z.number().int().positive().optional(),
  /** The mode it should be in now (calendar, mode cards, work orders); see docs/production-model.md. */
  mode: z.enum(MACHINE_MODES).nullable().optional(),
  /** The work order whose operation is running on it. */
  workOrder: z.string().nullable().optional(),
});
export type MachineSnapshot = z.infer<typeof machineSnapshotSchema>;

/** [epoch ms, value]: a bucket's average, or a string tag's last text (docs/openapi.yaml). */
export const samplePointSchema = z.tuple([
  z.number(),
  z.union([z.number(), z.string()]).nullable(),
]);
export const sampleSeriesSchema = z.object({
  machineId: z.string(),
  tag: z.string(),
  /** [epoch ms, value] pairs, oldest first. */
  points: z.array(samplePointSchema),
});
export type SampleSeries = z.infer<typeof sampleSeriesSchema>;

/** socket.io events, server -> screen. */
export const LIVE_EVENTS = {
  /** Sent first on (re)connect: every machine. */
  snapshot: 'machines:snapshot',
  /** Coalesced changes since the last update (a few per second at most). */
  update: 'machines:update',
} as const;

export const liveSnapshotSchema = z.object({
  machines: z.array(machineSnapshotSchema),
  serverTime: isoTimeSchema,
});
export type LiveSnapshot = z.infer<typeof liveSnapshotSchema>;
export const liveUpdateSchema = liveSnapshotSchema;
export type LiveUpdate = z.infer<typeof liveUpdateSchema>;

export const apiErrorSchema = z.object({
  error: z.string(),
  code: z.string(),
  message: z.string(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;
