import { envNumber } from '@takt/protocol';
import { UPDATE_INTERVAL_MS } from './consumers/live';
import { DEFAULT_BATCH_MS } from './service';

/**
 * The two waits between a reading and a screen, from the environment (docs/config-reference.md;
 * docs/decisions.md "Issue 22 — the third pass"): TAKT_INGEST_BATCH_MS, how long a batch
 * collects, and TAKT_LIVE_UPDATE_MS, the shortest gap between live updates.
 */
export function latencyFromEnv(): { batchMs: number; liveUpdateMs: number } {
  return {
    batchMs: envNumber('TAKT_INGEST_BATCH_MS', DEFAULT_BATCH_MS, 5, 1000),
    liveUpdateMs: envNumber('TAKT_LIVE_UPDATE_MS', UPDATE_INTERVAL_MS, 20, 5000),
  };
}
