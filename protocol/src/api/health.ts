import { z } from 'zod';
import { DEAD_LETTER_READERS, PUBLIC, defineRoute } from './contract';
import { idSchema, isoTimeSchema, timeOut } from './common';

const storageEngine = z.enum(['postgres', 'timescaledb']);

export const writerMetricsSchema = z
  .object({
    rowsPerSec: z.number().describe('rows stored per second over the last 10 s'),
    batchLatencyMs: z.object({
      p50: z.number().nullable(),
      p99: z.number().nullable(),
      max: z.number().nullable(),
    }),
    batchesLastMinute: z.number().int(),
    queueDepth: z.number().int().describe('items waiting for the writer'),
    rowsTotal: z.number().int(),
    batchesTotal: z.number().int(),
    failedBatchesTotal: z.number().int(),
    lastBatchAt: timeOut.nullable(),
  })
  .meta({ id: 'WriterMetrics', description: 'ingest/src/pipeline/metrics.ts' });

/** One post-commit consumer's figures (ingest/src/consumers/runner.ts `ConsumerStats`). */
export const consumerStatsSchema = z
  .object({
    done: z.number().int().describe('commits (and catch-ups) finished'),
    failures: z.number().int().describe('tries that threw'),
    gaveUp: z
      .number()
      .int()
      .describe(
        'commits given up after every try (a durable consumer redoes them at the next start)',
      ),
    pending: z.number().int().describe('commits waiting or under way'),
    lastError: z.string().nullable(),
  })
  .meta({ id: 'ConsumerStats', description: 'docs/decisions.md "Issue 16 — consumers"' });

export const healthRoutes = {
  health: defineRoute({
    method: 'GET',
    path: '/api/health',
    access: PUBLIC,
    summary: 'The process is up and the database answers; `mqtt` says whether data can flow',
    description:
      'Public, for load balancers: status, subscription, storage, writer figures and the dead-letter total. The per-gateway list (`gateways`) is only in the answer to a signed-in admin or maintenance user (docs/decisions.md "Issue 16 — /api/health").',
    response: z.object({
      status: z.literal('ok'),
      mqtt: z.enum(['subscribed', 'connecting']),
      storage: storageEngine,
      writer: writerMetricsSchema,
      deadLetters24h: z.number().int().describe('dead letters received in the last 24 h'),
      gateways: z
        .array(
          z.object({
            id: z.string(),
            status: z.string().nullable(),
            clockOffsetMs: z
              .number()
              .nullable()
              .describe(
                "the gateway's clock minus ingest's, from its latest message that can tell; null before one",
              ),
            clockCheckedAt: timeOut.nullable(),
            clockSkewed: z.boolean().describe('more than 60 s off'),
            deadLetters24h: z.number().int(),
          }),
        )
        .optional()
        .describe('each gateway: only for a signed-in admin or maintenance user'),
    }),
    errors: {
      503: 'the database does not answer: { status: degraded }, and `database` (its error) only for a signed-in admin or maintenance user',
    },
  }),
  metrics: defineRoute({
    method: 'GET',
    path: '/api/ingest/metrics',
    access: ['admin', 'manager', 'maintenance'],
    summary:
      "The writer's rows/s, batch latency and queue depth, the storage engine, and each post-commit consumer's figures",
    response: z.object({
      engine: storageEngine,
      writer: writerMetricsSchema,
      consumers: z
        .record(z.string(), consumerStatsSchema)
        .describe('by consumer name: work-orders, derived-states, live, alerts'),
    }),
    responseDescription: "the writer's and the consumers' figures",
  }),
  deadLetters: defineRoute({
    method: 'GET',
    path: '/api/dead-letters',
    access: DEAD_LETTER_READERS,
    summary: 'Rejected and quarantined payloads, newest first, with the reason',
    description:
      'Payloads that failed the topic parser or a schema, that the database refused, or whose timestamps are outside the horizon (docs/production-model.md "Timestamp horizon"). Kept TAKT_RETENTION_DEAD_LETTERS_DAYS (30). A bad query: 400 with the reason.',
    query: z.strictObject({
      gateway: idSchema.optional().describe("only this gateway's"),
      from: isoTimeSchema.optional().describe('received at or after; absent, 24 h before `to`'),
      to: isoTimeSchema.optional().describe('received before; absent, now'),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
    response: z.array(
      z.object({
        id: z.number().int(),
        receivedAt: timeOut,
        gateway: z.string().nullable().describe('none when the topic names none'),
        topic: z.string(),
        reason: z.string(),
        payloadExcerpt: z
          .string()
          .describe(
            'the payload\'s first 400 bytes as text: invalid UTF-8 and control characters (but tab and newlines) as U+FFFD, "…" when cut',
          ),
      }),
    ),
    responseDescription: 'the dead letters',
    errors: { 400: 'the query is wrong' },
  }),
};
