import type { AlertRule, PlantModel } from '@takt/protocol';
import type { Pool } from 'pg';

export interface RuleProblem {
  rule: string;
  message: string;
}

/**
 * What is wrong with rules in force that the schema cannot see: a tag never received from
 * its machine (the plant model does not list tags: the gateways do), a channel secret
 * missing from the environment, a channel whose last delivery for the rule failed.
 */
export async function ruleProblems(
  pool: Pool,
  rules: readonly AlertRule[],
  plant: PlantModel | undefined,
  env: NodeJS.ProcessEnv,
): Promise<RuleProblem[]> {
  const problems: RuleProblem[] = [];
  const { rows: known } = await pool.query<{ machine_id: string; tag: string }>(
    'SELECT machine_id, tag FROM machine_values',
  );
  const tags = new Set(known.map((r) => `${r.machine_id}/${r.tag}`));
  for (const rule of rules) {
    if ('tag' in rule && rule.tag !== undefined)
      for (const machine of rule.machines)
        if (!tags.has(`${machine}/${rule.tag}`))
          problems.push({
            rule: rule.id,
            message: `tag "${rule.tag}" has never been received from machine "${machine}" (check the tag name in the gateway config)`,
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
          problems.push({
            rule: rule.id,
            message: `channel "${channel.id}": environment variable ${name} is not set`,
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
      problems.push({
        rule: row.rule_id,
        message: `channel "${row.channel_id}" could not be reached (${row.created_at.toISOString()}): ${row.last_error ?? 'unknown error'}`,
      });
  return problems;
}
