import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../ingest/src/db/embedded';
import { freePort } from '../sim/src/free-port';

import type {} from '../ingest/test/helpers/test-db'; // declares the provided pgAdminUrl

/**
 * One real PostgreSQL for the whole run (the embedded one: binaries from the npm registry,
 * nothing installed by hand). Each test file creates its own database in it.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'takt-test-pg-'));
  chmodSync(dir, 0o755); // as root, the server runs as an unprivileged user that must reach it
  const db = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), port: await freePort() });
  project.provide('pgAdminUrl', db.adminUrl);
  return async () => {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
