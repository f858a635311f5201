import { z } from 'zod';
import {
  alertActionSchema,
  alertExportQuerySchema,
  alertItemSchema,
  alertLangQuerySchema,
  alertListQuerySchema,
  alertRulesBodySchema,
} from '../alerts';
import { alertRuleSchema } from '../config/alerts';
import { ADMIN, BOARD, RESPONDERS, STAFF, defineRoute } from './contract';
import { numericIdParams, timeOut } from './common';

const alert = alertItemSchema.meta({ id: 'Alert' });
const notFound = { 404: 'no such alert' };

const rulesAnswer = {
  rules: z.array(alertRuleSchema),
  /** ingest/src/alerts/problems.ts `RuleProblem`: `message` in the language asked (`lang=`, then Accept-Language). */
  problems: z.array(
    z.object({
      rule: z.string(),
      message: z.string(),
      messageKey: z.string(),
      messageParams: z.record(z.string(), z.unknown()),
    }),
  ),
};

const action = (name: 'ack' | 'clear', summary: string, conflict: string) =>
  defineRoute({
    method: 'POST',
    path: `/api/alerts/:id/${name}`,
    access: RESPONDERS,
    summary,
    params: numericIdParams,
    // No body is an empty one.
    body: alertActionSchema.default({}),
    response: alert,
    errors: { 400: 'the body is wrong', ...notFound, 409: conflict },
  });

export const alertRoutes = {
  list: defineRoute({
    method: 'GET',
    path: '/api/alerts',
    access: BOARD,
    summary: 'Alerts, newest first',
    query: alertListQuerySchema,
    response: z.array(alert),
    errors: { 400: 'the query is wrong' },
  }),
  export: defineRoute({
    method: 'GET',
    path: '/api/alerts/export',
    access: STAFF,
    summary: 'The alert history (every event of every alert) as CSV',
    query: alertExportQuerySchema,
    response: z.string(),
    csv: 'only',
    responseDescription: 'time,event,alert_id,rule,subject,severity,by,message,comment,detail',
    errors: { 400: 'the query is wrong' },
  }),
  get: defineRoute({
    method: 'GET',
    path: '/api/alerts/:id',
    access: BOARD,
    summary: 'One alert with its events and every delivery attempt per channel',
    params: numericIdParams,
    query: alertLangQuerySchema,
    response: alertItemSchema.extend({
      events: z.array(
        z.object({
          time: timeOut,
          kind: z.string(),
          by: z.string().nullable(),
          detail: z.unknown().describe('what the event carries (JSON), or null'),
        }),
      ),
      deliveries: z.array(
        z.object({
          event: z.string(),
          channel: z.string(),
          status: z.string(),
          attempts: z.number().int(),
          lastError: z.string().nullable(),
          createdAt: timeOut,
          finishedAt: timeOut.nullable(),
        }),
      ),
    }),
    errors: notFound,
  }),
  ack: action(
    'ack',
    'Acknowledge an open alert ("I\'m on it"); stops its escalation',
    'already acknowledged or cleared',
  ),
  clear: action(
    'clear',
    'Clear an alert by hand; the rule re-arms once its clear condition has held',
    'already cleared',
  ),
  rules: defineRoute({
    method: 'GET',
    path: '/api/alert-rules',
    access: RESPONDERS,
    summary: 'The rules in force, the channels (no secrets), and problems found on rules',
    description:
      'problems: tags never received, channel secrets missing from the environment, channels whose last delivery failed',
    query: z.strictObject({ lang: z.string().max(16).optional() }),
    response: z.object({
      ...rulesAnswer,
      channels: z.array(
        z.object({ id: z.string(), type: z.string(), format: z.string().optional() }),
      ),
    }),
  }),
  putRules: defineRoute({
    method: 'PUT',
    path: '/api/alert-rules',
    access: ADMIN,
    summary: 'Replace the rules (admin); validated like the plant model',
    // No body is judged as an empty one (`rules: …` names what is missing).
    // Parsed as given (prefault), so the 400 names what is missing as it always did.
    body: alertRulesBodySchema.prefault({} as z.input<typeof alertRulesBodySchema>),
    response: z.object(rulesAnswer),
    errors: { 400: 'a rule is wrong' },
  }),
};
