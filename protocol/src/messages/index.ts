import type { MessageCatalog } from './render';
import { IMPORT_MESSAGES } from './imports';
import { ORDER_MESSAGES } from './orders';

export * from './render';

/**
 * Every catalog of server-made text, merged: each area keeps its own file beside this one
 * and adds it here (alerts, orders, imports, stations…).
 */
export const SERVER_MESSAGES: MessageCatalog = {
  ...IMPORT_MESSAGES,
  ...ORDER_MESSAGES,
};
