import { api } from '@takt/protocol';
import { readDeadLetters } from '../queries/dead-letters';
import { routeOf } from '../route-contract';
import { windowWithDefaults } from './window';
import type { IngestPlugin } from './types';

const DAY_MS = 86_400_000;

/**
 * `GET /api/dead-letters?gateway=&from=&to=&limit=`: rejected and quarantined payloads,
 * newest first, each with its reason and the start of its payload as text
 * (queries/dead-letters.ts `payloadExcerpt`). Who reads them: `DEAD_LETTER_READERS`
 * (protocol/src/api/contract.ts).
 */
export const deadLettersPlugin: IngestPlugin = (app, { pool }) => {
  app.get('/api/dead-letters', routeOf(api.health.deadLetters), async (request) => {
    const q = request.query;
    const { fromMs, toMs } = windowWithDefaults(q, DAY_MS);
    return readDeadLetters(pool, { gateway: q.gateway, fromMs, toMs, limit: q.limit });
  });
};
