import type { Catalog } from './catalog';

/** Sign-in, access links and the customer tracking page. */
export const publicPages = {
  'track.title': ['Your orders', '您的订单'],
} as const satisfies Catalog;
