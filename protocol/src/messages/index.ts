import { DELIVERY_MESSAGES } from './delivery';
import type { MessageCatalog } from './render';

export * from './render';

/**
 * Every catalog of server-made text, merged: each area keeps its own file beside this one
 * and adds it here (alerts, orders, imports, stations…).
 */
export const SERVER_MESSAGES: MessageCatalog = {
  ...DELIVERY_MESSAGES,
};
