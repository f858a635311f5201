/**
 * The import worker's entry (started by import-reader.ts, one per import): reads the job
 * it was given and posts the outcome. A built ingest runs it as JavaScript beside the
 * bundle (`import-worker.mjs`); from TypeScript, import-reader.ts registers tsx first.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readImport, type ImportJob } from './read-import';

// The reader's clock starts here: loading this module is not the file's fault.
parentPort!.postMessage({ type: 'started' });
parentPort!.postMessage({ type: 'done', outcome: await readImport(workerData as ImportJob) });
