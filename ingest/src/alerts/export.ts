import type { Pool } from 'pg';
import { toCsv } from '../http/csv';

const HEADER = [
  'time',
  'event',
  'alert_id',
  'rule',
  'subject',
  'severity',
  'by',
  'message',
  'comment',
  'detail',
];

/** Every event of every alert in [from, to), oldest first: the history, for a spreadsheet. */
export async function alertHistoryCsv(
  pool: Pool,
  from: number | null,
  to: number | null,
): Promise<string> {
  const { rows } = await pool.query<{
    time: Date;
    kind: string;
    alert_id: string;
    rule_id: string;
    subject: string;
    severity: string;
    actor: string | null;
    detail: { message?: string; comment?: string; error?: string; channel?: string } | null;
  }>(
    `SELECT e.time, e.kind, e.alert_id, a.rule_id, a.subject, a.severity, e.actor, e.detail
       FROM alert_events e JOIN alerts a ON a.id = e.alert_id
      WHERE ($1::timestamptz IS NULL OR e.time >= $1) AND ($2::timestamptz IS NULL OR e.time < $2)
      ORDER BY e.time, e.id
      LIMIT 1000000`,
    [from === null ? null : new Date(from), to === null ? null : new Date(to)],
  );
  return toCsv(
    HEADER,
    rows.map((r) => {
      const d = r.detail ?? {};
      const extra = d.error ? `${d.channel}: ${d.error}` : '';
      return [
        r.time.toISOString(),
        r.kind,
        r.alert_id,
        r.rule_id,
        r.subject,
        r.severity,
        r.actor,
        d.message,
        d.comment,
        extra,
      ];
    }),
  );
}
