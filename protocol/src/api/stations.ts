import { z } from 'zod';
import { epochMsSchema } from '../payloads';
import { reasonNodeSchema } from '../config/plant';
import { ADMIN, MANAGERS, STATION_ACTORS, defineRoute } from './contract';
import { idSchema, isoTimeSchema, pathIdSchema, stringIdParams, timeOut } from './common';

/**
 * The operator station's routes (docs/work-orders.md "Stations in the browser";
 * docs/decisions.md "Issue 17 — the operator station"). A station's browser is a gateway of
 * its own: its scans are stored as `web:<device>` with the device's `seq` (the idempotency key).
 */

/**
 * Stable codes of a refused scan. `message` is the refusal in the reader's language
 * (`lang=`, then Accept-Language), `messageKey` / `messageParams` the message a screen renders
 * itself (protocol/src/messages/stations.ts).
 */
export const REFUSAL_CODES = [
  'unknown-code',
  'unknown-order',
  'unknown-operation',
  'other-station',
  'not-started',
  'already-done',
  'not-allowed',
  'reject-exceeds-made',
  'unknown-reject-reason',
  'reject-needs-reason',
  'counting-machine',
  'no-running-operation',
  'order-held',
  'order-cancelled',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** A device id a station's browser makes once and keeps (docs/decisions.md "Issue 17"). */
export const stationDeviceSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'letters, digits, _ and - (8–64)');

export const stationScanSchema = z.strictObject({
  /** The device's own sequence number of this action, kept across reloads. */
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** When the code was scanned on the device: epoch ms or an ISO time. */
  ts: z.union([epochMsSchema, isoTimeSchema]),
  code: z.string().min(1).max(256),
});
export type StationScanInput = z.infer<typeof stationScanSchema>;

export const stationScansBodySchema = z.strictObject({
  device: stationDeviceSchema,
  scans: z.array(stationScanSchema).min(1).max(200),
});
export type StationScansBody = z.infer<typeof stationScansBodySchema>;

/** Runs of seqs made durable, inclusive: `[[1, 3], [5, 5]]` (as a gateway's ack). */
export const stationScansAckSchema = z.object({
  acked: z.array(z.tuple([z.number().int(), z.number().int()])),
});

export const STATION_EVENT_KINDS = ['scan', 'refused', 'count', 'reason', 'correction'] as const;

export const stationEventSchema = z.object({
  at: timeOut,
  /** scan: an applied start/pause/complete/login…; count: hand pieces; reason: a stop explained; correction: a supervisor changed a stop's reason. */
  kind: z.enum(STATION_EVENT_KINDS),
  code: z.string().nullable(),
  action: z.string().nullable(),
  workOrder: z.string().nullable(),
  operation: z.string().nullable(),
  operator: z.string().nullable(),
  /** count: good pieces (negative when rejects move good ones on a counting machine). */
  good: z.number().int().nullable(),
  rejected: z.number().int().nullable(),
  /** A reject, stop or andon reason. */
  reason: z.string().nullable(),
  /** refused: the stable code (REFUSAL_CODES, or another code a later version adds). */
  refusal: z.string().nullable(),
  /** refused: what was wrong; reason: the stop explained; correction: before → after — in the language asked. */
  message: z.string().nullable(),
  /** The message's key (protocol/src/messages/), to render in a screen's own language; null without a message. */
  messageKey: z.string().nullable(),
  messageParams: z.record(z.string(), z.unknown()).nullable(),
});
export type StationEvent = z.infer<typeof stationEventSchema>;

export const stationStopSchema = z.object({
  /** The stop's name: its machine and this start. */
  start: timeOut,
  /** null: the machine is still stopped. */
  end: timeOut.nullable(),
  durationMs: z.number().int(),
});

export const stationViewSchema = z
  .object({
    station: z.object({
      id: z.string(),
      name: z.string(),
      machine: z.string().nullable(),
      line: z.string().nullable(),
    }),
    /** Who is badged in now. */
    operator: z
      .object({ badge: z.string(), name: z.string().nullable(), since: timeOut })
      .nullable(),
    /** The operation running at the station, else the one paused there. */
    order: z
      .object({
        workOrder: z.string(),
        operation: z.string(),
        product: z.string(),
        quantity: z.number().int(),
        good: z.number().int(),
        rejected: z.number().int(),
        status: z.enum(['running', 'paused']),
        startedAt: timeOut.nullable(),
      })
      .nullable(),
    /** Good pieces the current shift should make here (targets.outputPerHour × its planned hours); null where unknown. */
    shiftTarget: z
      .object({ shift: z.string(), from: timeOut, to: timeOut, pieces: z.number().int() })
      .nullable(),
    /** The last 20 events at the station, newest first. */
    events: z.array(stationEventSchema),
    /** Stops of the station's machine longer than `promptAfterS` with no reason, still answerable, newest first. */
    stops: z.array(stationStopSchema),
    promptAfterS: z.number(),
    reasons: z.object({
      downtime: z.array(reasonNodeSchema),
      /** Times each downtime reason was given at this machine in the last 30 days (absent: 0). */
      uses: z.record(z.string(), z.number().int()),
      reject: z.array(z.object({ id: z.string(), name: z.string() })),
    }),
    /** The andon calls the station offers: alert rules of kind `andon` (empty until the plant has some). */
    andonCalls: z.array(z.object({ id: z.string(), name: z.string() })),
  })
  .meta({ id: 'StationView' });
export type StationView = z.infer<typeof stationViewSchema>;

const stopReasonAnswer = z.object({
  ok: z.literal(true),
  stopStart: timeOut,
  stopEnd: timeOut.nullable(),
  reason: z.string(),
});

export const operatorSchema = z
  .object({ badge: z.string(), name: z.string(), createdAt: timeOut })
  .meta({ id: 'Operator' });
export type Operator = z.infer<typeof operatorSchema>;

/** A badge as the badge code carries it (`E<badge>`; the standard codes take 4–8 digits). */
export const badgeSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ - (1–64)');
export const pinSchema = z.string().regex(/^\d{4,8}$/, '4–8 digits');

export const stationPinBodySchema = z.strictObject({ pin: pinSchema });

const notFound = { 404: 'no such station' };

export const stationRoutes = {
  view: defineRoute({
    method: 'GET',
    path: '/api/stations/:id',
    access: STATION_ACTORS,
    summary:
      "A station's screen: who is badged in, the running order, the last 20 events, stops to explain, reasons and andon calls",
    params: stringIdParams,
    query: z.strictObject({ lang: z.string().max(16).optional() }),
    response: stationViewSchema,
    errors: notFound,
  }),
  scans: defineRoute({
    method: 'POST',
    path: '/api/stations/:id/scans',
    access: STATION_ACTORS,
    summary: "Codes scanned or typed at the station, as the station's own gateway `web:<device>`",
    description:
      "Each code becomes a scan through the plant's station codes and goes the way of a gateway's scan. " +
      'The answer lists the seqs made durable; a seq sent again is acked and stored once. ' +
      'What each scan did (applied or refused) is read back from the events of GET /api/stations/:id.',
    params: stringIdParams,
    body: stationScansBodySchema,
    response: stationScansAckSchema,
    errors: { 400: 'the body is wrong', ...notFound, 503: 'the store is not reachable' },
  }),
  stopReason: defineRoute({
    method: 'POST',
    path: '/api/stations/:id/stop-reason',
    access: STATION_ACTORS,
    summary: "Give a stop of the station's machine (named by its start) a reason",
    description: 'The same reason again answers 200 (a retry); another reason answers 409.',
    params: stringIdParams,
    body: z.strictObject({ stopStart: isoTimeSchema, reason: idSchema }),
    response: stopReasonAnswer,
    errors: {
      400: 'the body is wrong, or the reason is not in the plant',
      ...notFound,
      409: 'no such stop, too old, or it has another reason already',
    },
  }),
  pin: defineRoute({
    method: 'POST',
    path: '/api/stations/:id/pin',
    access: STATION_ACTORS,
    summary: 'The operator with this PIN (the station then scans their badge)',
    description: 'At most 5 wrong PINs per station in 15 minutes, then 429 with Retry-After.',
    params: stringIdParams,
    body: stationPinBodySchema,
    validateInHandler: true,
    response: z.object({ badge: z.string(), name: z.string() }),
    errors: {
      400: 'the body is wrong',
      401: 'no operator has this PIN',
      ...notFound,
      429: 'too many wrong PINs at this station',
    },
  }),
};

export const machineStopReasonCorrection = defineRoute({
  method: 'PUT',
  path: '/api/machines/:id/stop-reason',
  access: MANAGERS,
  summary: "Correct a stop's reason (a supervisor); who, when, before and after are kept",
  params: stringIdParams,
  body: z.strictObject({ stopStart: isoTimeSchema, reason: idSchema }),
  response: stopReasonAnswer.extend({ before: z.string().nullable() }),
  errors: {
    400: 'the body is wrong, or the reason is not in the plant',
    404: 'no such machine',
    409: 'no stop starts then',
  },
});

export const operatorRoutes = {
  list: defineRoute({
    method: 'GET',
    path: '/api/operators',
    access: ADMIN,
    summary: 'Every operator (badge and name; never the PIN)',
    response: z.array(operatorSchema),
  }),
  save: defineRoute({
    method: 'POST',
    path: '/api/operators',
    access: ADMIN,
    summary: "Add an operator, or replace a badge's name and PIN",
    body: z.strictObject({
      badge: badgeSchema,
      name: z.string().trim().min(1).max(100),
      pin: pinSchema,
    }),
    status: 201,
    response: operatorSchema,
    errors: { 400: 'the body is wrong', 409: 'another operator has this PIN' },
  }),
  remove: defineRoute({
    method: 'DELETE',
    path: '/api/operators/:badge',
    access: ADMIN,
    summary: 'Remove an operator',
    params: z.strictObject({ badge: pathIdSchema }),
    response: operatorSchema,
    responseDescription: 'the removed operator',
    errors: { 404: 'no such operator' },
  }),
};
