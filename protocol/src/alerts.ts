import { z } from 'zod';
import { alertRuleSchema, alertSeveritySchema, type AlertSeverity } from './config/alerts';

export type { AlertSeverity };

/** socket.io events of the alerts, server -> screen (andon and maintenance views). */
export const ALERT_EVENTS = {
  /** Sent on (re)connect: every alert not cleared. */
  snapshot: 'alerts:snapshot',
  /** One alert changed (opened, acknowledged, escalated, cleared). */
  update: 'alerts:update',
} as const;

export const ALERT_STATUSES = ['open', 'acknowledged', 'cleared'] as const;

/** `GET /api/alerts?status=` */
export const alertListQuerySchema = z.strictObject({
  status: z.enum(ALERT_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  /** The language of `message`; without it the request's Accept-Language, else English. */
  lang: z.string().max(35).optional(),
});

/** `GET /api/alerts/:id?lang=`: the language of `message` (else Accept-Language, else English). */
export const alertLangQuerySchema = z.strictObject({ lang: z.string().max(35).optional() });

/** `POST /api/alerts/:id/ack` and `/clear`: who (until API roles arrive, the body says) and why. */
export const alertActionSchema = z.strictObject({
  /** Who acts; the signed-in user when the call has a session. */
  by: z.string().trim().min(1).max(64).optional(),
  comment: z.string().max(500).optional(),
});

/** `PUT /api/alert-rules`: the whole list of rules. */
export const alertRulesBodySchema = z.strictObject({
  rules: z.array(alertRuleSchema),
  by: z.string().trim().min(1).max(64).optional(),
});

/** `GET /api/alerts/export?from=&to=`: the history as CSV. */
export const alertExportQuerySchema = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

const iso = z.iso.datetime({ offset: true });

/** One alert as the API and socket.io serve it (ingest/src/alerts/store.ts alertJson). */
export const alertItemSchema = z.object({
  id: z.number().int(),
  rule: z.string(),
  subject: z.string(),
  severity: alertSeveritySchema,
  status: z.enum(ALERT_STATUSES),
  openedAt: iso,
  value: z.number().nullable(),
  /** Rendered in the language asked (`lang=`, then Accept-Language) and the plant's time zone. */
  message: z.string(),
  /** The message's key in SERVER_MESSAGES (protocol/src/messages/), to render it again. */
  messageKey: z.string(),
  /** Its parameters: text, numbers, `{time}`, `{durationS}`, `{percent}`, `{message}`. */
  messageParams: z.record(z.string(), z.unknown()),
  acknowledgedAt: iso.nullable(),
  acknowledgedBy: z.string().nullable(),
  ackComment: z.string().nullable(),
  clearedAt: iso.nullable(),
  clearedBy: z.string().nullable(),
  escalatedAt: iso.nullable(),
  deliveryFailed: z.boolean(),
});
export type AlertItem = z.infer<typeof alertItemSchema>;

/** `alerts:snapshot`: every alert not cleared. */
export const alertsSnapshotSchema = z.object({ alerts: z.array(alertItemSchema), serverTime: iso });
/** `alerts:update`: what happened to one alert. */
export const alertUpdateSchema = z.object({
  event: z.enum(['opened', 'acknowledged', 'escalated', 'cleared']),
  alert: alertItemSchema,
});
