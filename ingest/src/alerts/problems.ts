import type { AlertRule, Message, PlantModel } from '@takt/protocol';
import type { Pool } from 'pg';
import { rendered, type Reader } from '../queries/message-text';

/** A problem of a rule: its message in the reader's language, with key and parameters. */
export interface RuleProblem {
  rule: string;
  message: string;
  messageKey: string;
  messageParams: Record<string, unknown>;
}

/**
 * What is wrong with rules in force that the schema cannot see: a tag never received from
 * its machine (the plant model does not list tags: the gateways do), a channel secret
 * missing from the environment, a channel whose last delivery for the rule failed. Each is a
 * message (protocol/src/messages/alert-problems.ts) rendered for `reader`, times in the
 * plant's zone.
 */
export async function ruleProblems(
  pool: Pool,
  rules: readonly AlertRule[],
  plant: PlantModel | undefined,
  env: NodeJS.ProcessEnv,
  reader: Reader = { lang: 'en', timeZone: plant?.site.timeZone ?? 'UTC' },
): Promise<RuleProblem[]> {
  const problems: RuleProblem[] = [];
  const add = (rule: string, message: Message) =>
    problems.push({ rule, ...rendered(message, reader) });
  const { rows: known } = await pool.query<{ machine_id: string; tag: string }>(
    'SELECT machine_id, tag FROM machine_values',
  );
  const tags = new Set(known.map((r) => `${r.machine_id}/${r.tag}`));
  for (const rule of rules) {
    if ('tag' in rule && rule.tag !== undefined)
      for (const machine of rule.machines)
        if (!tags.has(`${machine}/${rule.tag}`))
          add(rule.id, {
            key: 'alerts.problem.tagNeverReceived',
            params: { tag: rule.tag, machine },
          });
    const ids = new Set([...rule.notify, ...(rule.escalate?.notify ?? [])]);
    for (const channel of plant?.alerts.channels ?? []) {
      if (!ids.has(channel.id)) continue;
      const names =
        channel.type === 'email'
          ? [channel.smtp.userEnv, channel.smtp.passwordEnv]
          : [channel.secretEnv, channel.urlEnv];
      for (const name of names)
        if (name && !env[name])
          add(rule.id, {
            key: 'alerts.problem.envMissing',
            params: { channel: channel.id, name },
          });
    }
  }
  // The latest delivery per (rule, channel): failed -> the channel is reported on the rule.
  const { rows: failed } = await pool.query<{
    rule_id: string;
    channel_id: string;
    status: string;
    last_error: string | null;
    created_at: Date;
  }>(
    `SELECT DISTINCT ON (a.rule_id, d.channel_id) a.rule_id, d.channel_id, d.status, d.last_error, d.created_at
       FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
      WHERE d.status <> 'pending'
      ORDER BY a.rule_id, d.channel_id, d.id DESC`,
  );
  const inForce = new Set(rules.map((r) => r.id));
  for (const row of failed)
    if (row.status === 'failed' && inForce.has(row.rule_id))
      add(row.rule_id, {
        key: 'alerts.problem.unreachable',
        params: {
          channel: row.channel_id,
          time: { time: row.created_at.toISOString() },
          // The receiver's own words, as it sent them.
          error: row.last_error ?? { message: { key: 'alerts.problem.unknownError' } },
        },
      });
  return problems;
}
