import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBroker } from '@takt/broker';
import { pino } from 'pino';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { startIngest } from '../../src';
import { createTestDatabase } from '../helpers/test-db';

describe('docs/openapi.yaml', () => {
  it('documents every API route ingest serves, and nothing it does not', async () => {
    const log = pino({ level: 'silent' });
    const broker = await startBroker({
      host: '127.0.0.1',
      port: 0,
      users: [],
      allowAnonymous: true,
      log,
    });
    const ingest = await startIngest({
      databaseUrl: await createTestDatabase('takt_openapi'),
      mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'ingest-openapi' },
      http: { host: '127.0.0.1', port: 0 },
      log,
    });
    try {
      const served = ingest.routes
        .filter((r) => r.url.startsWith('/api/'))
        .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
      const doc = parse(
        readFileSync(join(import.meta.dirname, '../../../docs/openapi.yaml'), 'utf8'),
      ) as { paths: Record<string, Record<string, unknown>> };
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      );
      expect([...new Set(served)].sort()).toEqual(documented.sort());
      // Each operation's x-access says who may call it, as the route declares (issue 9).
      for (const r of ingest.routes.filter((r) => r.url.startsWith('/api/'))) {
        const op = doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]![r.method.toLowerCase()] as {
          'x-access'?: string[];
        };
        expect(op['x-access']?.sort(), `${r.method} ${r.url}`).toEqual([...r.access!].sort());
      }
    } finally {
      await ingest.stop();
      await broker.stop();
    }
  });
});
