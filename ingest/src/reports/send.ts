/**
 * A report as notices of the channel's delivery queue (docs/decisions.md "Issue 19 — reports
 * through the channel queue; the monthly page"): the payloads are built here, stored in
 * `alert_deliveries` and sent by the channel's worker (alerts/delivery/queue.ts) under the
 * channel's rate limit, together with the alerts; signing, address checks, answers and
 * retries are the deliverer's (alerts/delivery/deliverer.ts).
 */
import type { AlertChannel } from '@takt/protocol';
import type { PoolClient } from 'pg';
import { MAIL_ATTACHMENT_BYTES, type Payload } from '../alerts/delivery/payloads';
import type { DeliveryQueue } from '../alerts/delivery/queue';
import { reportBodies, reportMail, type RenderedReport } from './formats';

/** The queue's event of a report's notices; `-report` keeps them out of digests (payloads.ts). */
export const reportEvent = (report: RenderedReport) => `${report.content.period.kind}-report`;

/** The notices of one report for a channel, in the order they leave (WeCom: image, then text). */
export function reportPayloads(channel: AlertChannel, report: RenderedReport): Payload[] {
  if (channel.type === 'email') {
    const mail = reportMail(report);
    return [
      {
        type: 'mail',
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: mail.headers,
        attachments: mail.attachments
          .filter((a) => a.content.length <= MAIL_ATTACHMENT_BYTES)
          .map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            cid: a.cid,
            base64: a.content.toString('base64'),
          })),
      },
    ];
  }
  return reportBodies(channel.format, report).map((body) => ({
    type: 'webhook',
    body: JSON.stringify(body),
    headers: { 'x-takt-event': reportEvent(report) },
  }));
}

/**
 * Queues the report's notices for the channel inside the caller's transaction (`db`), under
 * one ordering key so they leave in order; the caller wakes the channel after COMMIT.
 */
export async function enqueueReport(
  queue: DeliveryQueue,
  db: PoolClient,
  channel: AlertChannel,
  report: RenderedReport,
  title: string,
): Promise<number[]> {
  const { period } = report.content;
  const key = `report:${period.kind}:${period.date}:${period.shift}`;
  const ids: number[] = [];
  for (const payload of reportPayloads(channel, report))
    ids.push(
      await queue.enqueue(
        channel.id,
        key,
        () => payload,
        { title, event: reportEvent(report) },
        db,
      ),
    );
  return ids;
}
