import { api } from '@takt/protocol';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

/**
 * `GET /api/alert-channels`: each channel of the plant model with its delivery state, the
 * receiver's last error and the notices queued (alerts/delivery/queue.ts). Responders only,
 * as the channels are (docs/decisions.md "Issue 18 — logins, sockets, channels and delivery").
 */
export const alertChannelsPlugin: IngestPlugin = (app, { plant, alertRuntime }) => {
  app.get('/api/alert-channels', routeOf(api.alertChannels.list), async () => {
    const states = await alertRuntime.deliverer.queue.status();
    return (plant?.alerts.channels ?? []).map((c) => {
      const lang = (c as { lang?: string }).lang;
      const state = states.get(c.id) ?? { status: 'ok' as const, lastError: null, queued: 0 };
      return {
        id: c.id,
        type: c.type,
        ...(c.type === 'webhook' ? { format: c.format } : {}),
        ...(lang ? { lang } : {}),
        ...state,
      };
    });
  });
};
