import { z } from 'zod';
import { idSchema } from '../../ids';
import { deviceBaseShape, serialLineShape } from './common';

/** Fields a code pattern may fill, by named groups; they become the scan message's fields. */
export const SCAN_FIELDS = [
  'workOrder',
  'operation',
  'action',
  'reason',
  'operator',
  'quantity',
] as const;

export const scanPatternSchema = z
  .strictObject({
    name: idSchema,
    /** JavaScript regular expression; named groups (?<workOrder>...) fill the scan's fields. */
    regex: z.string().min(1),
    /** Fixed fields for codes of this pattern, e.g. `{ action: start }`. */
    set: z
      .strictObject({
        workOrder: z.string().max(64).optional(),
        operation: z.string().max(64).optional(),
        action: z.string().max(32).optional(), // as on the wire (scanPayloadSchema)
        reason: z.string().max(64).optional(),
        operator: z.string().max(64).optional(),
      })
      .default({}),
  })
  .superRefine((pattern, ctx) => {
    let re: RegExp;
    try {
      re = new RegExp(pattern.regex);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        path: ['regex'],
        message: `not a regular expression: ${(error as Error).message}`,
      });
      return;
    }
    // The regex's own group names, as the engine sees them (an alternative that matches '').
    const groups = Object.keys(new RegExp(`(?:${re.source})|`).exec('')?.groups ?? {});
    for (const group of groups) {
      if (!(SCAN_FIELDS as readonly string[]).includes(group)) {
        ctx.addIssue({
          code: 'custom',
          path: ['regex'],
          message: `unknown group "${group}" (use ${SCAN_FIELDS.join(', ')})`,
        });
      }
    }
  });
export type ScanPattern = z.output<typeof scanPatternSchema>;

/** A line-based barcode scanner on a serial port (RS-232, or USB in CDC/virtual-COM mode). */
export const serialScannerDeviceSchema = z.strictObject({
  ...deviceBaseShape,
  ...serialLineShape,
  driver: z.literal('serial-scanner'),
  /** The station the scans belong to (topic level of the scan messages). */
  machine: idSchema,
  /** Characters the scanner puts before / after every code, removed before matching. */
  prefix: z.string().default(''),
  suffix: z.string().default(''),
  /** First pattern that matches wins; a code matching none is published with action `unknown`. */
  patterns: z.array(scanPatternSchema).default([]),
  /** The same code again within this time is one scan (a double trigger), not two. */
  debounceMs: z.number().int().min(0).max(60_000).default(1500),
  /** Longer lines are garbage (noise on the line), logged and dropped with a count. */
  maxLength: z.number().int().min(1).max(256).default(128),
});
export type SerialScannerDeviceConfig = z.output<typeof serialScannerDeviceSchema>;
