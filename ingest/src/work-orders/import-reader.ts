import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ImportJob, ImportLimits, ImportOutcome } from './read-import';

/**
 * Imports are read off the event loop: each file in its own worker thread, stopped after
 * `timeLimitMs` and bounded in heap, so that no file — a workbook declaring millions of
 * cells, a zip bomb, a slow parse — can hold up ingest's other requests (docs/decisions.md
 * "Issue 18 — imports off the event loop, one CSV writer, errors without internals").
 */

/** Beside a bundle: the worker is a bundle entry of its own, emitted next to ingest's. */
const BUILT_ENTRY = 'import-worker.mjs';

/** How the worker is started from here: TypeScript (tsx, tests) or built JavaScript. */
function workerSource(): { code: string } | { file: URL } {
  const self = import.meta.url;
  // In a bundle (scripts/bundle.mjs) import.meta.url still names this source file, and the
  // worker's bundle sits in ingest/dist/ beside ingest's own.
  if (process.env.TAKT_BUNDLE === '1') return { file: new URL(`../../dist/${BUILT_ENTRY}`, self) };
  if (!fileURLToPath(self).endsWith('.ts')) return { file: new URL(`./${BUILT_ENTRY}`, self) };
  // A worker does not inherit the parent's module hooks: register tsx, then load the entry.
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./import-worker.ts', self).href;
  return {
    code: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`,
  };
}

/** Why imports cannot run (a bundle without its worker entry), or undefined: checked at start. */
export function importWorkerProblem(): string | undefined {
  const source = workerSource();
  if ('code' in source || existsSync(source.file)) return undefined;
  return `the work-order import worker ${fileURLToPath(source.file)} is missing: the build must emit ingest/src/work-orders/import-worker.ts as ${BUILT_ENTRY} beside ingest's bundle`;
}

type Message = { type: 'started' } | { type: 'done'; outcome: ImportOutcome };

/** The outcome refusing a file that takes too long or too much memory (a 413). */
const tooMuch = (what: string): ImportOutcome => ({
  ok: false,
  status: 413,
  message: `the file is too large to read: ${what}; split it into smaller files`,
});

export interface ImportReader {
  /** Reads one file in a worker; undefined when `maxConcurrent` files are being read already. */
  read(job: Omit<ImportJob, 'limits'>): Promise<ImportOutcome> | undefined;
  /** Ends the workers under way (ingest's shutdown). */
  stop(): Promise<void>;
}

/**
 * Workers for imports, `maxConcurrent` at most at a time. A worker that throws (a bug, not
 * the file) rejects: the route answers a 500 and logs it. Workers are not pooled: each file
 * gets a fresh heap, and a stopped worker takes its memory with it.
 */
export function createImportReader(limits: ImportLimits, maxConcurrent = 2): ImportReader {
  const running = new Set<Worker>();
  const read = (job: Omit<ImportJob, 'limits'>) =>
    new Promise<ImportOutcome>((resolve, reject) => {
      const { timeLimitMs, maxHeapMb, ...sheet } = limits;
      const source = workerSource();
      const options = {
        workerData: { ...job, limits: sheet } satisfies ImportJob,
        resourceLimits: { maxOldGenerationSizeMb: maxHeapMb },
      };
      const worker =
        'code' in source
          ? new Worker(source.code, { ...options, eval: true })
          : new Worker(source.file, options);
      running.add(worker);
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (outcome: ImportOutcome | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        running.delete(worker);
        void worker.terminate();
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      worker.on('message', (message: Message) => {
        if (message.type === 'done') settle(message.outcome);
        else
          timer = setTimeout(
            () => settle(tooMuch(`reading it took longer than ${timeLimitMs / 1000} s`)),
            timeLimitMs,
          );
      });
      worker.on('error', (error: Error & { code?: string }) =>
        settle(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? tooMuch(`reading it needs more than ${maxHeapMb} MB of memory`)
            : error,
        ),
      );
      worker.on('exit', (code) =>
        settle(new Error(`the import worker stopped (exit code ${code}) before it answered`)),
      );
    });
  return {
    read: (job) => (running.size >= maxConcurrent ? undefined : read(job)),
    async stop() {
      await Promise.all([...running].map((w) => w.terminate()));
    },
  };
}
