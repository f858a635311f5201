import { z } from 'zod';
import { alertSeveritySchema } from '../config/alerts';
import { RESPONDERS, STATION_ACTORS, defineRoute } from './contract';
import { idSchema, isoTimeSchema, stringIdParams, timeOut, windowChecked } from './common';

/**
 * Andon calls (docs/decisions.md "Issue 17 — andon calls"): a call is an alert of an `andon`
 * rule about a station, opened by the station's `ANDON:<call>` scan, acknowledged and cleared
 * with the alert routes (`POST /api/alerts/:id/ack`, `…/clear`).
 */

export const ANDON_CALL_STATES = ['idle', 'called', 'acknowledged', 'cleared-recently'] as const;
export type AndonCallState = (typeof ANDON_CALL_STATES)[number];

/** The button text per language, as the rule gives it. */
const labelSchema = z.object({ en: z.string().optional(), 'zh-CN': z.string().optional() });

export const stationCallSchema = z
  .object({
    /** What the station scans: `ANDON:<call>`. */
    call: z.string(),
    /** The andon rule (the `rule` of its alerts). */
    rule: z.string(),
    name: z.string().nullable(),
    label: labelSchema,
    severity: alertSeveritySchema,
    /** cleared-recently: cleared less than 5 minutes ago (then idle again). */
    state: z.enum(ANDON_CALL_STATES),
    /** The alert the state is about; null when idle. */
    alertId: z.number().int().nullable(),
    calledAt: timeOut.nullable(),
    acknowledgedAt: timeOut.nullable(),
    /** The responder's user name. */
    acknowledgedBy: z.string().nullable(),
    clearedAt: timeOut.nullable(),
    clearedBy: z.string().nullable(),
    /** now − calledAt while the call is open (called or acknowledged), else null. */
    waitingMs: z.number().int().nullable(),
  })
  .meta({ id: 'StationCall' });
export type StationCall = z.infer<typeof stationCallSchema>;

export const stationCallsSchema = z.object({
  station: z.string(),
  /** Ingest's clock when answered: waiting times count from it. */
  serverTime: timeOut,
  /** Every call the station offers, in the rules' order. */
  calls: z.array(stationCallSchema),
});
export type StationCalls = z.infer<typeof stationCallsSchema>;

/** `?from=&to=[&station=|&line=]`: calls opened in the window (at most 92 days), at one station, a line's or all. */
export const andonResponseQuerySchema = windowChecked(
  z
    .strictObject({
      from: isoTimeSchema,
      to: isoTimeSchema,
      station: idSchema.optional().describe('at most one of station or line'),
      line: idSchema.optional().describe("the stations of the line's machines"),
    })
    .refine((q) => q.station === undefined || q.line === undefined, {
      message: 'give station or line, not both',
      path: ['line'],
    }),
  92,
);

const timeStatsSchema = z.object({
  /** Calls the figure is over. */
  count: z.number().int(),
  /** Nearest-rank percentiles and the longest, ms; null without calls. */
  p50Ms: z.number().nullable(),
  p90Ms: z.number().nullable(),
  maxMs: z.number().nullable(),
});

export const andonResponseTimesSchema = z.object({
  from: timeOut,
  to: timeOut,
  station: z.string().nullable(),
  line: z.string().nullable(),
  /** Per call type (every andon rule in force), in the rules' order. */
  calls: z.array(
    z.object({
      call: z.string(),
      rule: z.string(),
      name: z.string().nullable(),
      label: labelSchema,
      /** Calls opened in the window, and of them those not cleared yet. */
      count: z.number().int(),
      open: z.number().int(),
      /** From the call to its acknowledgement (or to its clear, when nobody acknowledged it first). */
      acknowledge: timeStatsSchema,
      /** From the call to its clear by a person. */
      clear: timeStatsSchema,
    }),
  ),
});
export type AndonResponseTimes = z.infer<typeof andonResponseTimesSchema>;

export const andonRoutes = {
  stationCalls: defineRoute({
    method: 'GET',
    path: '/api/stations/:id/andon',
    // Responders (maintenance) see what a station waits for; a station link only its own.
    access: [...STATION_ACTORS, 'maintenance'],
    summary: "A station's andon calls and the state of each: idle, called, acknowledged, cleared",
    params: stringIdParams,
    response: stationCallsSchema,
    errors: { 404: 'no such station' },
  }),
  responseTimes: defineRoute({
    method: 'GET',
    path: '/api/andon/response-times',
    access: RESPONDERS,
    summary: 'Andon response times per call type: to acknowledge and to clear (p50, p90, max)',
    description: "over the calls opened in [from, to), at one station, a line's machines or all",
    query: andonResponseQuerySchema,
    response: andonResponseTimesSchema,
    errors: { 400: 'the query is wrong', 404: 'no such line' },
  }),
};
