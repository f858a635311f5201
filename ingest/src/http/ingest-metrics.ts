import type { IngestPlugin } from './types';

/** `GET /api/ingest/metrics`: the writer's rows/s, batch latency and queue depth, and the engine. */
export const ingestMetricsPlugin: IngestPlugin = (app, { writer, storage }) => {
  app.get(
    '/api/ingest/metrics',
    { config: { access: ['admin', 'manager', 'maintenance'] } },
    async () => ({
      engine: storage.engine,
      writer: writer.snapshot(),
    }),
  );
};
