import { DEFAULT_HORIZON, type TimeHorizon } from '../domain/time-horizon';
import type { StorageEngineChoice } from './engine';

/** How long each level of the time series is kept, in days; 0 keeps it forever. */
export interface RetentionDays {
  raw: number;
  minute: number;
  hour: number;
}

export interface StorageSettings {
  engine: StorageEngineChoice;
  retentionDays: RetentionDays;
  /** TimescaleDB: raw chunks older than this are compressed. */
  compressAfterDays: number;
  /** Plain PostgreSQL: days of partitions created ahead of time. */
  partitionsAheadDays: number;
  /** Dead letters are deleted this many days after they arrived; 0 keeps them forever. */
  deadLetterDays: number;
}

/** TimescaleDB refreshes the rollups over the last 3 days: raw data must outlive that window. */
export const ROLLUP_REFRESH_DAYS = 3;

export const DEFAULT_STORAGE: StorageSettings = Object.freeze({
  engine: 'auto',
  retentionDays: Object.freeze({ raw: 30, minute: 365, hour: 0 }),
  compressAfterDays: 7,
  partitionsAheadDays: 2,
  deadLetterDays: 30,
}) as StorageSettings;

function days(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || (n !== 0 && n < min) || n > 36_500)
    throw new Error(
      `${name}=${raw} is not a number of days (0 = keep forever${min ? `, else at least ${min}` : ''})`,
    );
  return n;
}

/**
 * TAKT_STORAGE_ENGINE (auto | postgres | timescaledb), TAKT_RETENTION_RAW_DAYS (30),
 * TAKT_RETENTION_1M_DAYS (365), TAKT_RETENTION_1H_DAYS (0 = forever),
 * TAKT_COMPRESS_AFTER_DAYS (7, TimescaleDB only), TAKT_RETENTION_DEAD_LETTERS_DAYS (30).
 */
export function storageSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): StorageSettings {
  const engine = env.TAKT_STORAGE_ENGINE || 'auto';
  if (engine !== 'auto' && engine !== 'postgres' && engine !== 'timescaledb')
    throw new Error(`TAKT_STORAGE_ENGINE=${engine} is not one of auto, postgres, timescaledb`);
  const d = DEFAULT_STORAGE;
  return Object.freeze({
    engine,
    retentionDays: Object.freeze({
      raw: days(env, 'TAKT_RETENTION_RAW_DAYS', d.retentionDays.raw, ROLLUP_REFRESH_DAYS + 1),
      minute: days(env, 'TAKT_RETENTION_1M_DAYS', d.retentionDays.minute, 1),
      hour: days(env, 'TAKT_RETENTION_1H_DAYS', d.retentionDays.hour, 1),
    }),
    compressAfterDays: days(env, 'TAKT_COMPRESS_AFTER_DAYS', d.compressAfterDays, 1),
    partitionsAheadDays: d.partitionsAheadDays,
    deadLetterDays: days(env, 'TAKT_RETENTION_DEAD_LETTERS_DAYS', d.deadLetterDays, 1),
  });
}

/**
 * The timestamp horizon (issue 6, docs/production-model.md "Timestamp horizon"):
 * TAKT_HORIZON_AHEAD_S (3600: at most this far ahead of the receive time),
 * TAKT_HORIZON_MAX_AGE_DAYS (365: the oldest for what is kept forever; samples are limited by
 * TAKT_RETENTION_RAW_DAYS).
 */
export function horizonFromEnv(env: NodeJS.ProcessEnv = process.env): TimeHorizon {
  const raw = env.TAKT_HORIZON_AHEAD_S;
  let aheadS = DEFAULT_HORIZON.aheadMs / 1000;
  if (raw !== undefined && raw !== '') {
    aheadS = Number(raw);
    if (!Number.isInteger(aheadS) || aheadS < 60 || aheadS > 7 * 86_400)
      throw new Error(`TAKT_HORIZON_AHEAD_S=${raw} is not a number of seconds from 60 to 604800`);
  }
  const maxAgeDays = days(env, 'TAKT_HORIZON_MAX_AGE_DAYS', DEFAULT_HORIZON.maxAgeDays, 1);
  if (maxAgeDays === 0) throw new Error('TAKT_HORIZON_MAX_AGE_DAYS must be at least 1');
  return Object.freeze({ aheadMs: aheadS * 1000, maxAgeDays });
}
