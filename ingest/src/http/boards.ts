import { api } from '@takt/protocol';
import { shiftOee } from '../queries/boards';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';
import type { ShiftOee } from '@takt/protocol';

/**
 * Every TV of a hall asks for the same figures once a minute: one computation serves them
 * all for this long (the figures move by minutes, the live counts come over socket.io).
 */
const CACHE_MS = 30_000;

/**
 * `GET /api/boards/shift[?site=<id>]`: the current shift of the site (or the last one started,
 * or the plant day without a shift calendar) with every machine's OEE, planned busy time and
 * good count in it: the plant board's OEE and count-vs-target figures (issue 8).
 */
export const boardsPlugin: IngestPlugin = (app, { pool }) => {
  const cache = new Map<string, { at: number; body: Promise<ShiftOee> }>();
  app.get('/api/boards/shift', routeOf(api.boards.shift), async (request) => {
    const parsed = { data: request.query };
    const key = parsed.data.site ?? '';
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && now - hit.at < CACHE_MS) return hit.body;
    const body = shiftOee(pool, parsed.data.site ?? null, now);
    cache.set(key, { at: now, body });
    // A failed computation is not kept: the next screen asks again.
    body.catch(() => cache.delete(key));
    return body;
  });
};
