import { z } from 'zod';
import {
  alertActionSchema,
  alertExportQuerySchema,
  alertItemSchema,
  alertListQuerySchema,
  alertRulesBodySchema,
} from '../alerts';
import { ADMIN, BOARD, RESPONDERS, STAFF, defineRoute } from './contract';
import { numericIdParams, timeOut } from './common';

const alert = alertItemSchema.meta({ id: 'Alert' });
const notFound = { 404: 'no such alert' };

const rulesAnswer = {
  rules: z.array(z.unknown()).describe('protocol/src/config/alerts.ts alertRuleSchema'),
  problems: z.array(z.looseObject({ rule: z.string(), message: z.string() })),
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
    response: alertItemSchema.extend({
      events: z.array(z.looseObject({ time: timeOut, kind: z.string() })),
      deliveries: z.array(z.looseObject({ channel: z.string(), status: z.string() })),
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
    body: alertRulesBodySchema,
    response: z.object(rulesAnswer),
    errors: { 400: 'a rule is wrong' },
  }),
};
