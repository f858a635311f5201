import { createHash } from 'node:crypto';
import { alertRuleSchema, type AlertRule, type Message } from '@takt/protocol';
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../db/transaction';
import type { AlertEffect, AlertRecord, AlertStatus } from './engine';
import { renderAlertText, type AlertText } from './text';

/** An alert as stored: the engine's record plus its database id. */
export interface StoredAlert extends AlertRecord {
  id: number;
  deliveryFailed: boolean;
}

const COLUMNS = `id, rule_id, subject, severity, status, opened_at, value, message, message_key, message_params, acknowledged_at,
  acknowledged_by, ack_comment, cleared_at, cleared_by, escalated_at, delivery_failed`;

interface AlertRow {
  id: string;
  rule_id: string;
  subject: string;
  severity: AlertRecord['severity'];
  status: AlertStatus;
  opened_at: Date;
  value: number | null;
  message: string;
  message_key: string;
  message_params: Message['params'] | null;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  ack_comment: string | null;
  cleared_at: Date | null;
  cleared_by: string | null;
  escalated_at: Date | null;
  delivery_failed: boolean;
}

/** The stored message; a row written with text only (no parameters) says its text. */
function messageOf(r: AlertRow): Message {
  const params = r.message_params ?? {};
  if (r.message_key === 'legacy.text' && params.text === undefined)
    return { key: 'legacy.text', params: { text: r.message } };
  return { key: r.message_key, params };
}

const ms = (d: Date | null) => (d === null ? null : d.getTime());

function fromRow(r: AlertRow): StoredAlert {
  return {
    id: Number(r.id),
    key: `${r.rule_id}|${r.subject}`,
    rule: r.rule_id,
    subject: r.subject,
    severity: r.severity,
    status: r.status,
    openedAt: r.opened_at.getTime(),
    value: r.value,
    message: messageOf(r),
    acknowledgedAt: ms(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    ackComment: r.ack_comment,
    clearedAt: ms(r.cleared_at),
    clearedBy: r.cleared_by,
    escalatedAt: ms(r.escalated_at),
    deliveryFailed: r.delivery_failed,
  };
}

/**
 * The API's view: ISO times (browsers read them), and the message rendered for the reader
 * (`text`) with its key and parameters, so a screen can render it again in its language.
 */
export function alertJson(a: StoredAlert, text: AlertText) {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    id: a.id,
    rule: a.rule,
    subject: a.subject,
    severity: a.severity,
    status: a.status,
    openedAt: iso(a.openedAt),
    value: a.value,
    message: renderAlertText(a.message, text),
    messageKey: a.message.key,
    messageParams: a.message.params ?? {},
    acknowledgedAt: iso(a.acknowledgedAt),
    acknowledgedBy: a.acknowledgedBy,
    ackComment: a.ackComment,
    clearedAt: iso(a.clearedAt),
    clearedBy: a.clearedBy,
    escalatedAt: iso(a.escalatedAt),
    deliveryFailed: a.deliveryFailed,
  };
}

export async function loadAlerts(
  pool: Pool,
  filter: { status?: AlertStatus; id?: number; limit?: number },
): Promise<StoredAlert[]> {
  const { rows } = await pool.query<AlertRow>(
    `SELECT ${COLUMNS} FROM alerts
      WHERE ($1::text IS NULL OR status = $1) AND ($2::bigint IS NULL OR id = $2)
      ORDER BY opened_at DESC, id DESC LIMIT $3`,
    [filter.status ?? null, filter.id ?? null, filter.limit ?? 1000],
  );
  return rows.map(fromRow);
}

/**
 * Store what the engine decided, with its history event; returns the alert's id and whether
 * this call made the change. Two ingest instances on one database (a `$share` group,
 * docs/decisions.md "Issue 22 — Mosquitto export and shared subscriptions") each judge the
 * same rules: the alert one of them opened, cleared or escalated first is not opened, cleared
 * or escalated again by the other (no second event, no second notice).
 */
export async function storeEffect(
  pool: Pool,
  effect: AlertEffect,
  english: AlertText,
  id?: number,
): Promise<{ id: number; changed: boolean }> {
  const text = renderAlertText(effect.alert.message, english);
  return withTransaction(pool, async (client) => {
    const stored = await writeAlert(client, effect, text, id);
    if (stored.changed) await writeEvent(client, effect, text, stored.id);
    return stored;
  });
}

/** The alert row: a new one when opened, else its status and who did what; returns its id. */
async function writeAlert(
  client: PoolClient,
  effect: AlertEffect,
  text: string,
  id?: number,
): Promise<{ id: number; changed: boolean }> {
  const a = effect.alert;
  if (effect.kind === 'opened') {
    const { rows } = await client.query<{ id: string; inserted: boolean }>(
      `INSERT INTO alerts (rule_id, subject, severity, status, opened_at, value, message,
                           message_key, message_params)
       VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $8)
       ON CONFLICT (rule_id, subject) WHERE status <> 'cleared'
         DO UPDATE SET message = EXCLUDED.message, message_key = EXCLUDED.message_key,
                       message_params = EXCLUDED.message_params
       RETURNING id, xmax = 0 AS inserted`,
      [
        a.rule,
        a.subject,
        a.severity,
        new Date(a.openedAt),
        a.value,
        text,
        a.message.key,
        JSON.stringify(a.message.params ?? {}),
      ],
    );
    // Open already (another instance opened it): the row's text is refreshed, nothing more.
    return { id: Number(rows[0]!.id), changed: rows[0]!.inserted };
  }
  if (id === undefined) throw new Error(`alert ${a.key} has no stored id`);
  const { rowCount } = await client.query(
    `UPDATE alerts SET status = $2, acknowledged_at = $3, acknowledged_by = $4, ack_comment = $5,
            cleared_at = $6, cleared_by = $7, escalated_at = $8
      WHERE id = $1
        AND NOT ($9::text = 'cleared' AND status = 'cleared')
        AND NOT ($9::text = 'escalated' AND escalated_at IS NOT NULL)`,
    [
      id,
      a.status,
      a.acknowledgedAt === null ? null : new Date(a.acknowledgedAt),
      a.acknowledgedBy,
      a.ackComment,
      a.clearedAt === null ? null : new Date(a.clearedAt),
      a.clearedBy,
      a.escalatedAt === null ? null : new Date(a.escalatedAt),
      effect.kind,
    ],
  );
  return { id, changed: rowCount === 1 };
}

/** The alert's history event for this effect. */
async function writeEvent(
  client: PoolClient,
  effect: AlertEffect,
  text: string,
  id: number,
): Promise<void> {
  const a = effect.alert;
  const by =
    effect.kind === 'acknowledged'
      ? a.acknowledgedBy
      : effect.kind === 'cleared'
        ? a.clearedBy
        : null;
  await client.query(
    'INSERT INTO alert_events (alert_id, time, kind, actor, detail) VALUES ($1, $2, $3, $4, $5)',
    [
      id,
      new Date(effect.at),
      effect.kind,
      by,
      JSON.stringify({
        message: text,
        messageKey: a.message.key,
        messageParams: a.message.params ?? {},
        value: a.value,
        notify: effect.notify,
        quiet: effect.quiet,
        ...(effect.comment ? { comment: effect.comment } : {}),
      }),
    ],
  );
}

/** The rules in force: the plant model's, unless an admin edited them since it last changed. */
export async function syncRules(
  pool: Pool,
  plantRules: readonly AlertRule[],
): Promise<AlertRule[]> {
  const hash = createHash('sha256').update(JSON.stringify(plantRules)).digest('hex');
  await withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ plant_hash: string }>(
      'SELECT plant_hash FROM alert_rules_source FOR UPDATE',
    );
    if (rows[0]?.plant_hash === hash) return;
    await client.query('DELETE FROM alert_rules');
    await writeRules(client, plantRules, 'plant', null);
    await client.query(
      `INSERT INTO alert_rules_source (plant_hash) VALUES ($1)
       ON CONFLICT (id) DO UPDATE SET plant_hash = $1, applied_at = now()`,
      [hash],
    );
  });
  return loadRules(pool);
}

export async function loadRules(pool: Pool): Promise<AlertRule[]> {
  const { rows } = await pool.query<{ definition: unknown }>(
    'SELECT definition FROM alert_rules ORDER BY id',
  );
  return rows.map((r) => alertRuleSchema.parse(r.definition));
}

async function writeRules(
  client: PoolClient,
  rules: readonly AlertRule[],
  source: 'plant' | 'api',
  by: string | null,
) {
  await client.query(
    `INSERT INTO alert_rules (id, definition, source, updated_by)
     SELECT u.id, u.def, $3, $4 FROM unnest($1::text[], $2::jsonb[]) AS u(id, def)`,
    [rules.map((r) => r.id), rules.map((r) => JSON.stringify(r)), source, by],
  );
}

/** An admin's edit: the whole list replaces the rules in force (one transaction). */
export async function replaceRules(
  pool: Pool,
  rules: readonly AlertRule[],
  by: string | null,
): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query('DELETE FROM alert_rules');
    await writeRules(client, rules, 'api', by);
  });
}

/** Alerts left open by rules no longer in force (the plant file dropped them): cleared, with an event. */
export async function clearOrphans(pool: Pool, ruleIds: readonly string[], now: number) {
  const { rows } = await pool.query<{ id: string }>(
    `UPDATE alerts SET status = 'cleared', cleared_at = $2, cleared_by = 'rule-removed'
      WHERE status <> 'cleared' AND NOT (rule_id = ANY($1::text[]))
      RETURNING id`,
    [ruleIds, new Date(now)],
  );
  if (rows.length > 0)
    await pool.query(
      `INSERT INTO alert_events (alert_id, time, kind, actor)
       SELECT unnest($1::bigint[]), $2, 'cleared', 'rule-removed'`,
      [rows.map((r) => r.id), new Date(now)],
    );
  return rows.length;
}
