import { z } from 'zod';
import { idSchema } from '../../ids';
import { machineStateSchema } from '../../payloads';

/**
 * What every driver's tags share. `scan` is the channel of barcode scanners: the reading's
 * value is the scanned code and it is published as a scan message of its station.
 */
export const TAG_CHANNELS = ['metric', 'state', 'count.good', 'count.reject', 'scan'] as const;
export const tagChannelSchema = z.enum(TAG_CHANNELS);

export const tagBaseShape = {
  name: idSchema,
  /** The machine (or station) this tag belongs to; overrides the device's. */
  machine: idSchema.optional(),
  channel: tagChannelSchema,
  /** Engineering value = raw × scale + offset (numbers only). */
  scale: z.number().default(1),
  offset: z.number().default(0),
  unit: z.string().max(16).optional(),
  /**
   * Report by exception (metrics): a new value is published only when it moved by more
   * than this from the last one sent, or when the gateway's heartbeat is due; 0 = on every
   * change. Absent: every reading is published (continuous).
   */
  deadband: z.number().min(0).optional(),
  /** For `channel: state`: PLC code -> machine state. Codes not listed map to `unknown`. */
  states: z
    .record(z.string().regex(/^-?\d+$/, 'state codes are integers'), machineStateSchema)
    .optional(),
};

export const deviceBaseShape = {
  id: idSchema,
  /** The machine (or station) this device's tags belong to, unless a tag names its own. */
  machine: idSchema.optional(),
};

type TagLike = { machine?: string | undefined; channel: string; states?: unknown };

/** Checks every driver's device config needs: each tag has a machine, state tags a map. */
export function checkTags(
  device: { machine?: string | undefined; tags: readonly TagLike[] },
  ctx: z.RefinementCtx,
): void {
  const names = new Set<string>();
  device.tags.forEach((tag, i) => {
    const name = (tag as { name?: string }).name ?? '';
    if (names.has(name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['tags', i, 'name'],
        message: `duplicate tag name "${name}"`,
      });
    }
    names.add(name);
    if (!tag.machine && !device.machine) {
      ctx.addIssue({
        code: 'custom',
        path: ['tags', i, 'machine'],
        message: 'no machine: set it on the tag or on the device',
      });
    }
    if (tag.channel === 'state' && !tag.states) {
      ctx.addIssue({
        code: 'custom',
        path: ['tags', i, 'states'],
        message: 'a state tag needs a `states` map of PLC code -> state',
      });
    }
  });
}

/** Serial line settings shared by Modbus RTU and serial scanners. */
export const serialLineShape = {
  /** e.g. /dev/ttyUSB0, /dev/ttyAMA0, or /dev/serial/by-id/... (stable across reboots). */
  path: z.string().min(1),
  baudRate: z.number().int().positive().default(9600),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
  parity: z.enum(['none', 'even', 'odd']).default('none'),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
};
