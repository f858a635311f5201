import { api } from '@takt/protocol';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

/**
 * `GET /api/ingest/metrics`: the writer's rows/s, batch latency and queue depth, the engine,
 * and per post-commit consumer its commits done, failed tries, give-ups and backlog.
 */
export const ingestMetricsPlugin: IngestPlugin = (app, { writer, storage, consumers }) => {
  app.get('/api/ingest/metrics', routeOf(api.health.metrics), async () => ({
    engine: storage.engine,
    writer: writer.snapshot(),
    consumers: consumers.snapshot(),
  }));
};
