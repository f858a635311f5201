import { defineMessages } from './render';

/**
 * Text of the delivery queue's own messages (ingest/src/alerts/delivery/): the digest that
 * carries many notices in one message when a channel's rate limit would hold them back.
 * "Takt" is in every one: a DingTalk robot's keyword option can name it
 * (docs/config-reference.md).
 */
export const DELIVERY_MESSAGES = defineMessages({
  'delivery.digest.title': ['Takt: {count} notices', 'Takt：{count} 条通知'],
  'delivery.digest.more': ['… and {count} more', '…… 另有 {count} 条'],
});
