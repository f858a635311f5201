import { api } from '@takt/protocol';
import { shiftOee } from '../queries/boards';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';
import type { ShiftOee } from '@takt/protocol';
import { RefreshAhead } from './refresh-ahead';

/**
 * Every TV of a hall asks for the same figures once a minute: one computation serves them
 * all (the figures move by minutes, the live counts come over socket.io). Fresher than 30 s
 * it is served as is; up to 60 s old it is still served at once while the next one is
 * computed, so a screen waits for the computation only when nobody asked for a minute
 * (docs/decisions.md "Issue 22 — the shift board computed ahead").
 */
const FRESH_MS = 30_000;
const STALE_MS = 60_000;

/**
 * `GET /api/boards/shift[?site=<id>]`: the current shift of the site (or the last one started,
 * or the plant day without a shift calendar) with every machine's OEE, planned busy time and
 * good count in it: the plant board's OEE and count-vs-target figures (issue 8).
 */
export const boardsPlugin: IngestPlugin = (app, { pool }) => {
  const cache = new RefreshAhead<ShiftOee>({ freshMs: FRESH_MS, staleMs: STALE_MS });
  app.get('/api/boards/shift', routeOf(api.boards.shift), async (request) => {
    const site = request.query.site ?? null;
    return cache.get(site ?? '', (now) => shiftOee(pool, site, now));
  });
};
