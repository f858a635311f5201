import { z } from 'zod';
import { alertRuleSchema } from './config/alerts';

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
});

/** `POST /api/alerts/:id/ack` and `/clear`: who (until API roles arrive, the body says) and why. */
export const alertActionSchema = z.strictObject({
  by: z.string().trim().min(1).max(64),
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
