import { z } from 'zod';
import { checkTags, deviceBaseShape, tagBaseShape } from './common';

/** Values from a formula, no hardware: for demos and tests of everything past the driver. */
export const simulatedSignalSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('sine'),
    min: z.number(),
    max: z.number(),
    periodS: z.number().positive(),
  }),
  z.strictObject({ kind: z.literal('counter'), perMinute: z.number().min(0) }),
  z.strictObject({
    kind: z.literal('constant'),
    value: z.union([z.number(), z.boolean(), z.string()]),
  }),
  /**
   * Slot number `floor(epochMs / stepMs)`, one reading per slot with the slot's time, none
   * skipped within a run (a late poll catches up): a known sequence for the fault suite.
   */
  z.strictObject({ kind: z.literal('sequence'), stepMs: z.number().int().min(1).max(60_000) }),
  z.strictObject({
    kind: z.literal('cycle'),
    values: z.array(z.number()).min(1),
    stepS: z.number().positive(),
  }),
]);

export const simulatedDeviceSchema = z
  .strictObject({
    ...deviceBaseShape,
    driver: z.literal('simulated'),
    pollIntervalMs: z.number().int().min(50).max(3_600_000).default(1000),
    tags: z.array(z.strictObject({ ...tagBaseShape, signal: simulatedSignalSchema })).min(1),
  })
  .superRefine(checkTags);
export type SimulatedDeviceConfig = z.output<typeof simulatedDeviceSchema>;
