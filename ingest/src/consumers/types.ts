import type { DecodedMessage, PlantModel } from '@takt/protocol';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Server as SocketServer } from 'socket.io';
import type { AlertRuntime } from '../alerts/runtime';
import type { AlertSettings } from '../http/types';
import type { CountDeltaRow, Msg } from '../pipeline/write-series';
import type { WriteResult } from '../pipeline/writer';

/**
 * One batch the writer committed: what a consumer reacts to (docs/architecture.md "Conventions" 5). Everything in it is
 * durable already; the gateways get their ack once it is published.
 */
export interface BatchCommitted {
  /** Its batch_commits row (migration 034); null when nothing a consumer redoes was stored. */
  commitId: number | null;
  /** The commit log of the writer lane that made it (consumers/progress.ts `writerLog`). */
  log: string | null;
  /** When it committed, ms: the database's transaction time when logged, else ingest's clock. */
  committedAt: number;
  /** Machines whose board data changed. */
  machines: ReadonlySet<string>;
  scans: readonly Msg<'scan'>[];
  /** Pieces made per machine in this batch (zero too). */
  counts: readonly CountDeltaRow[];
  metrics: readonly Msg<'metrics'>[];
  states: readonly Msg<'state'>[];
  /** Every message stored (duplicates left out) and every gateway status, in order. */
  messages: readonly DecodedMessage[];
}

/** Machines whose board data changed outside a batch (a derived state was written). */
export interface MachinesChanged {
  machines: ReadonlySet<string>;
  /** The consumer that changed them. */
  by: string;
}

/**
 * Commits a durable consumer did not finish before ingest stopped, merged from their
 * batch_commits rows: its work is redone from stored rows from `fromMs` on.
 */
export interface MissedCommits {
  fromMs: number;
  machines: ReadonlySet<string>;
  /** The last commit merged, per writer lane's log: the marks a finished catch-up records. */
  marks: ReadonlyMap<string, number>;
}

/** What every consumer gets at start. */
export interface ConsumerContext {
  pool: Pool;
  io: SocketServer;
  log: Logger;
  plant: PlantModel | undefined;
  /** The service's clock, ms (`IngestOptions.alerts.now`: tests move it); never `Date.now()` in a consumer. */
  now: () => number;
  /** The alert engine, started before the consumers (lifecycle in service.ts). */
  alerts: AlertRuntime;
  /** The clock, environment (secrets) and delivery settings of outbound notices (service.ts). */
  alertSettings: AlertSettings;
  /** A screen gets a live update at most this often, ms (live.ts `UPDATE_INTERVAL_MS` by default). */
  liveUpdateMs?: number | undefined;
  /** Tell the other consumers (live push) that machines changed outside a batch. */
  machinesChanged: (event: MachinesChanged) => void;
}

/**
 * One concern that runs after each commit (work orders, derived states, live push, alerts):
 * the registry shape of edge-agent/src/drivers/registry.ts, listed in consumers/index.ts.
 * The runner (consumers/runner.ts) calls `onCommitted` once per batch, in commit order, one
 * at a time per consumer; a throw is retried with backoff and counted.
 */
export interface Consumer {
  readonly name: string;
  start(ctx: ConsumerContext): Promise<void>;
  onCommitted(event: BatchCommitted): Promise<void>;
  /**
   * Durable consumers only: redo, from stored rows, the work of commits not finished before
   * ingest stopped. Its presence makes the runner record progress in consumer_progress, so
   * `onCommitted` and `catchUp` must be idempotent (re-derived, never added on top).
   */
  catchUp?(missed: MissedCommits): Promise<void>;
  /**
   * Commits that wait for this consumer may be handled as one (`joinCommits`: their
   * contents in commit order): true only where handling the joined commit does what handling
   * each in turn does — work re-derived from stored rows from the earliest time on.
   */
  readonly coalesces?: boolean;
  onMachinesChanged?(event: MachinesChanged): void;
  /** Within the runner's stop budget; work still under way is abandoned (and caught up). */
  stop(): Promise<void>;
}

/** The committed batch, from the writer's result (one place; nothing else builds these). */
export function batchCommitted(result: WriteResult, nowMs: number): BatchCommitted {
  return {
    commitId: result.commit?.id ?? null,
    log: result.commit?.log ?? null,
    committedAt: result.commit?.at ?? nowMs,
    machines: result.machines,
    scans: result.scans,
    counts: result.counts,
    metrics: result.metrics,
    states: result.messages.filter((m): m is Msg<'state'> => m.kind === 'state'),
    messages: result.messages,
  };
}
