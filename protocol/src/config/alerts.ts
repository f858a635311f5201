import { z } from 'zod';
import { idSchema } from '../ids';
import { MESSAGE_LANGS, type MessageLang } from '../messages/render';
import { machineStateSchema } from '../payloads';
import { SPC_RULES } from './quality';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM (24 h)');
const seconds = z.number().min(0, 'must not be negative');
const positive = z.number().positive('must be more than 0');
const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'the name of an environment variable (A-Z, 0-9, _)');

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export const alertSeveritySchema = z.enum(ALERT_SEVERITIES);
export type AlertSeverity = z.infer<typeof alertSeveritySchema>;

/** What every rule has: who hears about it, how loud, and when not to wake anyone. */
const common = {
  id: idSchema,
  name: z.string().min(1).max(128).optional(),
  severity: alertSeveritySchema.default('warning'),
  enabled: z.boolean().default(true),
  /** Channel ids (under `alerts.channels`) told when the alert opens and clears. */
  notify: z.array(idSchema).default([]),
  /** Told as well when the alert is still unacknowledged after `afterMin` minutes. */
  escalate: z.strictObject({ afterMin: positive, notify: z.array(idSchema).min(1) }).optional(),
  /** In the site's time zone; `end` before `start` crosses midnight. Alerts open and show live but notify nobody. */
  quietHours: z.strictObject({ start: clockTime, end: clockTime }).optional(),
  /** The clear condition must hold this long before the alert clears (a flapping signal re-arms only then). */
  clearForS: seconds.default(0),
};

const machines = z.array(idSchema).min(1);

export const thresholdRuleSchema = z
  .strictObject({
    ...common,
    kind: z.literal('threshold'),
    machines,
    tag: idSchema,
    /** Alert when the value is above this... */
    above: z.number().optional(),
    /** ...or below this; both: outside the band [below, above]. */
    below: z.number().optional(),
    /** ...for at least this long. */
    forS: seconds.default(0),
    /** Hysteresis: the value must come back inside by this margin to clear. */
    clearMargin: seconds.default(0),
  })
  .refine((r) => r.above !== undefined || r.below !== undefined, {
    message: 'give above, below or both (a band)',
    path: ['above'],
  })
  .refine((r) => r.above === undefined || r.below === undefined || r.below < r.above, {
    message: 'below must be less than above (the band is [below, above])',
    path: ['below'],
  });

export const rateRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('rate'),
  machines,
  tag: idSchema,
  /** Alert when the value changes faster than this many units per minute (either way). */
  perMinute: positive,
  forS: seconds.default(0),
  clearMargin: seconds.default(0),
});

export const noDataRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('no-data'),
  machines,
  /** One tag; without it any message of the machine counts as data. */
  tag: idSchema.optional(),
  forS: positive,
});

export const gatewayOfflineRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('gateway-offline'),
  /** Without it: every gateway. */
  gateways: z.array(idSchema).min(1).optional(),
  forS: seconds.default(0),
});

export const machineDownRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('machine-down'),
  machines,
  states: z.array(machineStateSchema).min(1).default(['down']),
  forMin: positive,
});

export const workOrderStalledRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('work-order-stalled'),
  /** In progress without a good piece for this many hours. */
  forH: positive,
});

export const workOrderLateRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('work-order-late'),
});

export const OEE_METRICS = ['oee', 'availability', 'performance', 'quality'] as const;

export const oeeRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('oee-below'),
  machines,
  metric: z.enum(OEE_METRICS).default('oee'),
  /** Target as a fraction (0.6 = 60 %). */
  below: z.number().min(0).max(2),
  /** The current shift (closed at its end) or a rolling window of N minutes. */
  window: z.union([z.literal('shift'), z.strictObject({ rollingMin: positive })]).default('shift'),
  /** Planned time needed before judging (no alert 2 minutes into a shift). */
  minPlannedMin: seconds.default(15),
  clearMargin: z.number().min(0).max(1).default(0),
});

/**
 * An andon call (docs/decisions.md "Issue 17 — andon calls"): a station asks for help. The alert
 * opens when a station scans `ANDON:<call>` (a button on the station page sends that code),
 * for that station, at the scan's time; responders acknowledge and clear it by hand. One call
 * per station and call type is open at a time. No condition clears it, so no `clearForS`.
 */
export const andonRuleSchema = z.strictObject({
  id: common.id,
  name: common.name,
  severity: common.severity,
  enabled: common.enabled,
  notify: common.notify,
  escalate: common.escalate,
  quietHours: common.quietHours,
  kind: z.literal('andon'),
  /** The call type the station scans (`ANDON:<call>`): maintenance, material, quality, supervisor... */
  call: idSchema,
  /** The station's button, per language; without it the station shows `name`, else `call`. */
  label: z
    .strictObject({
      en: z.string().min(1).max(64).optional(),
      'zh-CN': z.string().min(1).max(64).optional(),
    })
    .optional(),
  /** Stations that offer the call; without it: every station. */
  stations: z.array(idSchema).min(1).optional(),
});

/**
 * SPC (docs/decisions.md "Issue 23 — measurements, limits and spc alerts"): a run rule violated
 * by a newly stored subgroup of a characteristic opens an alert on that characteristic, whose
 * text carries the chart's link (`/spc/<id>`); so does an overdue inspection of a characteristic
 * with `overdueAlert`. Responders clear it by hand (no condition clears a violation).
 */
export const spcRuleSchema = z.strictObject({
  id: common.id,
  name: common.name,
  severity: common.severity,
  enabled: common.enabled,
  notify: common.notify,
  escalate: common.escalate,
  quietHours: common.quietHours,
  kind: z.literal('spc'),
  /** Characteristic ids (quality.characteristics); without it: every one. */
  characteristics: z.array(idSchema).min(1).optional(),
  /** The run rules that alert; without it: every rule the characteristic judges. */
  rules: z.array(z.enum(SPC_RULES)).min(1).optional(),
});
export type SpcAlertRule = z.output<typeof spcRuleSchema>;

export const alertRuleSchema = z.discriminatedUnion('kind', [
  thresholdRuleSchema,
  rateRuleSchema,
  noDataRuleSchema,
  gatewayOfflineRuleSchema,
  machineDownRuleSchema,
  workOrderStalledRuleSchema,
  workOrderLateRuleSchema,
  oeeRuleSchema,
  andonRuleSchema,
  spcRuleSchema,
]);
export type AlertRule = z.output<typeof alertRuleSchema>;
export type AlertRuleKind = AlertRule['kind'];
export type AndonRule = z.output<typeof andonRuleSchema>;

export const WEBHOOK_FORMATS = ['generic', 'dingtalk', 'wecom', 'slack', 'teams'] as const;

/** A key that must not be given, with the message that says what to write instead. */
const refused = (message: string) =>
  z
    .unknown()
    .refine((v) => v === undefined, { error: message })
    .optional()
    .describe(`not allowed: ${message}`);

/**
 * Secrets (signing keys, SMTP user and password, webhook URLs: a Slack, Teams or DingTalk URL
 * is itself the credential) come from the environment, never the YAML; a key that would hold
 * one inline is refused with the form to use instead. Channels are shown to responders only
 * (docs/decisions.md "Issue 18 — logins, sockets, channels and delivery").
 */
export const webhookChannelSchema = z.strictObject({
  id: idSchema,
  type: z.literal('webhook'),
  format: z.enum(WEBHOOK_FORMATS).default('generic'),
  url: refused(
    'a webhook URL is a secret: put it in an environment variable and name that variable with urlEnv (e.g. urlEnv: TAKT_CHAT_URL)',
  ),
  /** The variable holding the URL (DingTalk and WeCom URLs hold the robot's token). */
  urlEnv: envName,
  /** HMAC key: generic -> X-Takt-Signature header; dingtalk -> timestamp + sign in the query. */
  secretEnv: envName.optional(),
  /** The language of its notices: without it zh-CN for dingtalk and wecom, else en. */
  lang: z.enum(MESSAGE_LANGS).optional(),
});

export const emailChannelSchema = z.strictObject({
  id: idSchema,
  type: z.literal('email'),
  to: z.array(z.email()).min(1),
  from: z.email(),
  smtp: z.strictObject({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    /** TLS from the start (port 465); otherwise STARTTLS, required when a user is set. */
    secure: z.boolean().default(false),
    user: refused(
      'the SMTP user name comes from the environment: name its variable with userEnv (and the password with passwordEnv)',
    ),
    /** The variables holding the SMTP user name and password. */
    userEnv: envName.optional(),
    passwordEnv: envName.optional(),
    /**
     * Sign in without TLS when the server offers no STARTTLS (the password crosses the network
     * in clear): off unless set here, and logged at every start of the channel.
     */
    allowPlainAuth: z.boolean().default(false),
  }),
  /** The language of its mails: en without it. */
  lang: z.enum(MESSAGE_LANGS).optional(),
});

/** The language a channel's notices are written in (docs/config-reference.md). */
export function channelLang(channel: AlertChannel): MessageLang {
  if (channel.lang) return channel.lang;
  return channel.type === 'webhook' && (channel.format === 'dingtalk' || channel.format === 'wecom')
    ? 'zh-CN'
    : 'en';
}

export const alertChannelSchema = z.discriminatedUnion('type', [
  webhookChannelSchema,
  emailChannelSchema,
]);
export type AlertChannel = z.output<typeof alertChannelSchema>;
export type WebhookChannel = z.output<typeof webhookChannelSchema>;
export type EmailChannel = z.output<typeof emailChannelSchema>;

/**
 * Who is on call: an entry's mobiles are @mentioned on DingTalk (`at.atMobiles`) and WeCom
 * (`mentioned_mobile_list`) in every notice of an alert on one of its `lines` (all lines when
 * absent) from a rule of one of its `kinds` (all kinds when absent). Several entries may
 * match; their mobiles are joined. An alert whose subject is on no line (a gateway, a work
 * order) matches only entries without `lines`.
 */
export const onCallSchema = z.strictObject({
  lines: z.array(idSchema).min(1).optional(),
  kinds: z
    .array(z.enum(alertRuleSchema.options.map((o) => o.shape.kind.value)))
    .min(1)
    .optional(),
  mobiles: z
    .array(
      z
        .string()
        .regex(/^\+?[0-9][0-9-]{4,19}$/, 'a mobile number: digits, optionally +country and -'),
    )
    .min(1),
});
export type OnCall = z.output<typeof onCallSchema>;

export const alertsConfigSchema = z.strictObject({
  rules: z.array(alertRuleSchema).default([]),
  channels: z.array(alertChannelSchema).default([]),
  /** The on-call roster (see `onCallSchema`). */
  onCall: z.array(onCallSchema).optional(),
});
export type AlertsConfig = z.output<typeof alertsConfigSchema>;

export interface AlertRuleProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Cross-references of the rules: machines (and stations) of the plant, declared channels,
 * unique ids, one andon rule per call. Paths are relative to the rule list (the plant model
 * and `PUT /api/alert-rules` prefix them). `stationIds`: where andon calls may be made
 * (every machine is a station; pass the plant's other stations too).
 */
export function alertRuleProblems(
  rules: readonly AlertRule[],
  channelIds: ReadonlySet<string>,
  machineIds: ReadonlySet<string>,
  stationIds: ReadonlySet<string> = machineIds,
): AlertRuleProblem[] {
  const problems: AlertRuleProblem[] = [];
  const seen = new Set<string>();
  const calls = new Map<string, string>();
  rules.forEach((rule, i) => {
    if (seen.has(rule.id))
      problems.push({ path: [i, 'id'], message: `rule "${rule.id}" is declared twice` });
    seen.add(rule.id);
    if (rule.kind === 'andon') andonProblems(rule, i, calls, stationIds, problems);
    if ('machines' in rule)
      rule.machines.forEach((m, j) => {
        if (!machineIds.has(m))
          problems.push({
            path: [i, 'machines', j],
            message: `unknown machine "${m}" (declare it under lines)`,
          });
      });
    const channels: [string, string[]][] = [['notify', rule.notify]];
    if (rule.escalate) channels.push(['escalate', rule.escalate.notify]);
    for (const [key, ids] of channels)
      ids.forEach((c, j) => {
        if (!channelIds.has(c))
          problems.push({
            path: key === 'notify' ? [i, 'notify', j] : [i, 'escalate', 'notify', j],
            message: `unknown channel "${c}" (declare it under alerts.channels)`,
          });
      });
  });
  return problems;
}

/** An andon rule: its call is made by one rule only, at stations the plant has. */
function andonProblems(
  rule: AndonRule,
  i: number,
  calls: Map<string, string>,
  stationIds: ReadonlySet<string>,
  problems: AlertRuleProblem[],
) {
  const other = calls.get(rule.call);
  if (other !== undefined)
    problems.push({
      path: [i, 'call'],
      message: `call "${rule.call}" is already made by rule "${other}" (one rule per call)`,
    });
  else calls.set(rule.call, rule.id);
  rule.stations?.forEach((s, j) => {
    if (!stationIds.has(s))
      problems.push({
        path: [i, 'stations', j],
        message: `unknown station "${s}" (a machine, or a station the plant declares)`,
      });
  });
}
