import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Server as SocketServer } from 'socket.io';
import type { WriterMetrics } from '../pipeline/metrics';
import type { WriteResult } from '../pipeline/writer';
import type { StorageEngine } from '../storage/engine';
import type { StorageSettings } from '../storage/settings';

/** What every ingest feature plugin gets (STYLE 5): it registers its own routes and events. */
export interface PluginContext {
  pool: Pool;
  io: SocketServer;
  log: Logger;
  /** Hooks the pipeline calls after each committed batch. */
  onBatch: (listener: (batch: WriteResult) => void) => void;
  onStop: (fn: () => Promise<void> | void) => void;
  /** Live facts about the pipeline, for health and status routes. */
  status: { subscribed: boolean };
  /** The writer's rows/s, batch latency and queue depth. */
  writer: WriterMetrics;
  /** The storage engine in use and its settings (retention, compression). */
  storage: { engine: StorageEngine; settings: StorageSettings };
}

export type IngestPlugin = (app: FastifyInstance, ctx: PluginContext) => Promise<void> | void;
