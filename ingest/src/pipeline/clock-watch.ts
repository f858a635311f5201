import type { Logger } from 'pino';
import { clockOffset, isSkewed } from '../domain/time-horizon';
import type { IngestItem } from './items';

/**
 * Logs when a gateway's clock goes off (past CLOCK_SKEW_LIMIT_MS) and when it is back, from
 * every message kind that can tell (domain/time-horizon.ts `clockOffset`): a line per change,
 * not per message. The figure itself is kept on the gateway row by the writer and shown by
 * `/api/health` (issue 6).
 */
export class ClockWatch {
  private readonly skewed = new Map<string, boolean>();

  constructor(private readonly log: Logger) {}

  observe(item: IngestItem): void {
    if (item.kind !== 'message' || item.receivedAtMs === undefined) return;
    const { message } = item;
    const offsetMs = clockOffset(
      message.kind,
      message.payload.ts,
      item.receivedAtMs,
      item.retained ?? false,
    );
    if (offsetMs === undefined) return;
    const now = isSkewed(offsetMs);
    if ((this.skewed.get(message.gatewayId) ?? false) === now) return;
    this.skewed.set(message.gatewayId, now);
    const fields = {
      gatewayId: message.gatewayId,
      offsetMs,
      kind: message.kind,
      ...(message.kind === 'status' ? { reported: message.payload.clockOffsetMs } : {}),
    };
    if (now)
      this.log.warn(
        fields,
        'gateway clock is off; readings outside the timestamp horizon go to dead letters',
      );
    else this.log.info(fields, 'gateway clock is back in step');
  }
}
