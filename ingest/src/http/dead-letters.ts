import { idSchema, isoTimeSchema } from '@takt/protocol';
import { z } from 'zod';
import type { Access } from '../auth/access';
import { readDeadLetters } from '../queries/dead-letters';
import { badRequest } from './bad-request';
import { windowWithDefaults } from './window';
import type { IngestPlugin } from './types';

/** Who reads dead letters: the people who fix gateways (issue 9); not operators, not screens. */
export const DEAD_LETTER_READERS: readonly Access[] = ['admin', 'maintenance'];

const DAY_MS = 86_400_000;

const deadLetterQuery = z.strictObject({
  gateway: idSchema.optional(),
  /** Absent: 24 h before `to`. */
  from: isoTimeSchema.optional(),
  /** Absent: now. */
  to: isoTimeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/**
 * `GET /api/dead-letters?gateway=&from=&to=&limit=`: rejected and quarantined payloads,
 * newest first, each with its reason and the start of its payload as text
 * (queries/dead-letters.ts `payloadExcerpt`).
 */
export const deadLettersPlugin: IngestPlugin = (app, { pool }) => {
  app.get('/api/dead-letters', { config: { access: DEAD_LETTER_READERS } }, async (request) => {
    const parsed = deadLetterQuery.safeParse(request.query);
    if (!parsed.success) throw badRequest(parsed.error);
    const q = parsed.data;
    const { fromMs, toMs } = windowWithDefaults(q, DAY_MS);
    return readDeadLetters(pool, { gateway: q.gateway, fromMs, toMs, limit: q.limit });
  });
};
