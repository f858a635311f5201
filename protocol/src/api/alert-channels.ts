import { z } from 'zod';
import { RESPONDERS, defineRoute } from './contract';

/**
 * A channel's delivery state (docs/decisions.md "Issue 19 — deliveries people can rely on"):
 * `ok` the last message got through; `rate-limited` the receiver said "too fast" and the
 * queue waits; `failing` errors that may pass (5xx, unreachable) are being retried;
 * `broken` a refusal no retry fixes (a wrong signature, keyword or IP list, a removed robot
 * or channel) — someone has to change the channel.
 */
export const CHANNEL_STATES = ['ok', 'rate-limited', 'failing', 'broken'] as const;

export const alertChannelStatusSchema = z
  .object({
    id: z.string(),
    type: z.enum(['webhook', 'email']),
    /** The webhook's format; absent for e-mail. */
    format: z.string().optional(),
    /** The language the channel is written in, when the plant model sets one. */
    lang: z.string().optional(),
    status: z.enum(CHANNEL_STATES),
    /** The receiver's last refusal or error (no URL, no token). */
    lastError: z.string().nullable(),
    /** Notices waiting to be sent. */
    queued: z.number().int(),
  })
  .meta({ id: 'AlertChannelStatus' });

export const alertChannelRoutes = {
  list: defineRoute({
    method: 'GET',
    path: '/api/alert-channels',
    access: RESPONDERS,
    summary: 'The alert channels with their delivery state, last error and queue (responders)',
    response: z.array(alertChannelStatusSchema),
  }),
};
