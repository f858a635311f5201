import type { PlantModel } from '@takt/protocol';
import type { Pool } from 'pg';
import type { ContractApp } from '../route-contract';
import type { Logger } from 'pino';
import type { Server as SocketServer } from 'socket.io';
import type { AlertRuntime } from '../alerts/runtime';
import type { ConsumerStats } from '../consumers/runner';
import type { CommitWaiters } from '../pipeline/commit-waiters';
import type { WriterMetrics } from '../pipeline/metrics';
import type { PlanService } from '../planning/service';
import type { StorageEngine } from '../storage/engine';
import type { StorageSettings } from '../storage/settings';

/**
 * What every HTTP plugin gets (docs/architecture.md "Conventions" 5): it registers its own routes, each declaring its
 * access. Work that follows a commit is a consumer (consumers/), not a plugin.
 */
export interface PluginContext {
  pool: Pool;
  io: SocketServer;
  log: Logger;
  /** The post-commit consumers, for reads that must see every commit applied. */
  consumers: {
    settled: (name: string) => Promise<void>;
    snapshot: () => Record<string, ConsumerStats>;
  };
  /** The alert engine (started in service.ts before the HTTP plugins). */
  alertRuntime: AlertRuntime;
  /** Live facts about the pipeline, for health and status routes. */
  status: { subscribed: boolean };
  settings: AuthSettings;
  /** The plant model loaded at start, if a file was given. */
  plant: PlantModel | undefined;
  /** Settings of the alerts (clock, tick, delivery retries); tests set them. */
  alerts: AlertSettings;
  /** The writer's rows/s, batch latency and queue depth. */
  writer: WriterMetrics;
  /** Puts a station's scans into the pipeline and waits for their COMMIT (http/stations.ts). */
  waiters: CommitWaiters;
  /** The storage engine in use and its settings (retention, compression). */
  storage: { engine: StorageEngine; settings: StorageSettings };
  /** The current finite-capacity plan (planning/service.ts). */
  planning: PlanService;
  /** The broker ingest uses, for remote configuration's own client (http/gateway-config.ts). */
  mqtt: {
    url: string;
    username?: string | undefined;
    password?: string | undefined;
    clientId?: string;
  };
  /** Ed25519 private key file that signs configs pushed to gateways; unset: pushes answer 503. */
  configSigningKeyFile?: string | undefined;
}

/** Sign-in settings (issue 9), with defaults filled in by startIngest. */
export interface AuthSettings {
  /** A session ends this long after sign-in (default 12 h: a shift and then some). */
  sessionTtlMs: number;
  /** Failed logins allowed per client address within loginWindowMs (default 5 in 15 min). */
  loginMaxFailures: number;
  loginWindowMs: number;
  /** Failed logins allowed per user name from any addresses within loginWindowMs (default 10). */
  loginAccountMaxFailures: number;
  /**
   * The address browsers open the dashboard at (TAKT_PUBLIC_URL): socket.io refuses another
   * Origin. Unset: the Origin must name the host the request was sent to.
   */
  publicUrl?: string | undefined;
  /** How often a live socket's credential is checked again (default 60 s; tests shorten it). */
  socketRecheckMs?: number | undefined;
  /** Served over TLS: Secure cookies and HSTS. */
  secure: boolean;
}

export interface AlertSettings {
  /** The clock of time-based rules (tests move it). */
  now: () => number;
  /** How often durations, silence and escalations are checked, ms. */
  tickMs: number;
  /** How often work orders and OEE are re-judged, ms. */
  pollMs: number;
  delivery: { attempts: number; baseDelayMs: number; timeoutMs: number };
  /** Where channel secrets are read (`secretEnv`, `passwordEnv`, `urlEnv`). */
  env: NodeJS.ProcessEnv;
}

/** One HTTP feature, registered with `app.register` in its own encapsulated context (http/index.ts). */
export type IngestPlugin = (app: ContractApp, ctx: PluginContext) => Promise<void> | void;
