import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { ImportResult } from '@takt/protocol';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { IngestError } from '../errors';
import { importFile } from './import-file';
import { createImportReader } from './import-reader';
import { IMPORT_LIMITS } from './read-import';

/** The watched folder (TAKT_IMPORT_WATCH_DIR…; docs/config-reference.md "Watched import folder"). */
export interface ImportWatchSettings {
  /** The folder an ERP (or a person) drops export files into: a mounted share in practice. */
  dir: string;
  /** The mapping its files are read through (built-in or saved). */
  mapping: string;
  /** How often the folder is looked at; a file is read once its size held over one interval. */
  pollMs: number;
}

const KINDS: Record<string, 'csv' | 'xlsx'> = { '.csv': 'csv', '.xlsx': 'xlsx' };

/** `done/<name>`, or `done/<name>-2.csv`… when a file of that name is there already. */
async function moveInto(dir: string, name: string, from: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const ext = extname(name);
  const base = name.slice(0, name.length - ext.length);
  const taken = new Set(await readdir(dir));
  let target = name;
  for (let n = 2; taken.has(target) || taken.has(`${target}.errors.json`); n++)
    target = `${base}-${n}${ext}`;
  await rename(from, join(dir, target));
  return target;
}

/** The refused rows of an answer, as the report beside a failed file says them. */
const refusedRows = (result: ImportResult) =>
  result.rows
    .filter((r) => r.action === 'refuse')
    .map((r) => ({ row: r.row, id: r.id, errors: r.errors }));

/**
 * Watches a folder for ERP exports: each new .csv or .xlsx is imported through the mapping
 * once its size is stable (the copy onto the share has finished), committed as a confirm
 * without "valid rows only" (a file with a refused row imports nothing), then moved to
 * `done/`, or to `failed/` with `<name>.errors.json` beside it. A file whose bytes were
 * imported before (table imported_files, by SHA-256) is not imported again: it goes to
 * `failed/` saying so. Another file type goes to `failed/` too.
 */
export async function startImportWatch(
  pool: Pool,
  log: Logger,
  settings: ImportWatchSettings,
): Promise<{ stop: () => Promise<void> }> {
  // Fail fast: a share that is not mounted is a start-up error, not a silent idle loop.
  const folder = await stat(settings.dir).catch(() => undefined);
  if (!folder?.isDirectory())
    throw new Error(`TAKT_IMPORT_WATCH_DIR: ${settings.dir} is not a folder ingest can read`);
  const reader = createImportReader(IMPORT_LIMITS, 1);
  const sizes = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const fail = async (name: string, report: Record<string, unknown>) => {
    const moved = await moveInto(join(settings.dir, 'failed'), name, join(settings.dir, name));
    await writeFile(
      join(settings.dir, 'failed', `${moved}.errors.json`),
      `${JSON.stringify({ file: name, ...report }, null, 2)}\n`,
    );
    log.warn({ file: name, movedTo: `failed/${moved}`, ...report }, 'watched-folder import failed');
  };

  const record = (hash: string, name: string, outcome: 'done' | 'failed', counts: unknown) =>
    pool.query(
      `INSERT INTO imported_files (sha256, file_name, mapping, outcome, counts) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (sha256) DO UPDATE SET file_name = $2, mapping = $3, outcome = $4, counts = $5, imported_at = now()`,
      [hash, name, settings.mapping, outcome, counts === undefined ? null : JSON.stringify(counts)],
    );

  async function importOne(name: string): Promise<'done' | 'failed' | 'later'> {
    const kind = KINDS[extname(name).toLowerCase()];
    if (!kind) {
      await fail(name, { error: 'not a .csv or .xlsx file' });
      return 'failed';
    }
    const data = await readFile(join(settings.dir, name));
    const hash = createHash('sha256').update(data).digest('hex');
    const seen = await pool.query<{ file_name: string; imported_at: Date }>(
      "SELECT file_name, imported_at FROM imported_files WHERE sha256 = $1 AND outcome = 'done'",
      [hash],
    );
    if (seen.rows[0]) {
      const { file_name, imported_at } = seen.rows[0];
      await fail(name, {
        error: `already imported: the same content as ${file_name}, imported at ${imported_at.toISOString()}`,
      });
      return 'failed';
    }
    let result: ImportResult;
    try {
      result = await importFile(pool, reader, {
        kind,
        data,
        mapping: settings.mapping,
        dryRun: false,
        validRows: false,
        actor: { by: 'watched-folder', source: 'watched-folder' },
        lang: 'en',
      });
    } catch (error) {
      if (error instanceof IngestError && error.statusCode === 429) return 'later';
      if (!(error instanceof IngestError)) throw error;
      await record(hash, name, 'failed', undefined);
      await fail(name, { error: error.message });
      return 'failed';
    }
    if (!result.committed) {
      await record(hash, name, 'failed', result.counts);
      await fail(name, {
        error: 'nothing imported: rows are refused',
        counts: result.counts,
        rows: refusedRows(result),
      });
      return 'failed';
    }
    await record(hash, name, 'done', result.counts);
    const moved = await moveInto(join(settings.dir, 'done'), name, join(settings.dir, name));
    log.info(
      { file: name, movedTo: `done/${moved}`, counts: result.counts },
      'watched-folder import done',
    );
    return 'done';
  }

  /** One look at the folder: files whose size held since the last look are imported, in name order. */
  async function poll(): Promise<void> {
    const entries = await readdir(settings.dir, { withFileTypes: true });
    const files = entries
      .filter((e) => e.isFile() && !e.name.startsWith('.') && !e.name.startsWith('~$'))
      .map((e) => e.name)
      .sort();
    for (const name of [...sizes.keys()]) if (!files.includes(name)) sizes.delete(name);
    for (const name of files) {
      if (stopped) return;
      const size = (await stat(join(settings.dir, name)).catch(() => undefined))?.size;
      if (size === undefined) continue;
      const before = sizes.get(name);
      sizes.set(name, size);
      if (before !== size) continue; // new or still growing: look again next time
      if ((await importOne(name)) !== 'later') sizes.delete(name);
    }
  }

  const tick = () => {
    running = poll()
      .catch((error: Error) =>
        log.error({ dir: settings.dir, err: error.message }, 'watched import folder: poll failed'),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, settings.pollMs);
      });
  };
  log.info(settings, 'watching the import folder');
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await reader.stop();
      await running.catch(() => undefined);
    },
  };
}
