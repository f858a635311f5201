/**
 * The import worker's entry (started by import-reader.ts, one per import): reads the job
 * it was given and posts the outcome. A built ingest runs it as JavaScript beside the
 * bundle (`import-worker.mjs`); from TypeScript, import-reader.ts registers tsx first.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readImport, type ImportJob } from './read-import';

// The reader's clock starts here: loading this module is not the file's fault, nor is the
// first run of the CSV path (its first call costs tens of ms more than the next ones), so a
// two-line file is read first.
await readImport({ ...(workerData as ImportJob), kind: 'csv', data: Buffer.from('x\n1\n') });
parentPort!.postMessage({ type: 'started' });
parentPort!.postMessage({ type: 'done', outcome: await readImport(workerData as ImportJob) });
