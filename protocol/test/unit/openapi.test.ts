import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRoutes } from '../../src/api';
import { openApiYaml } from '../../src/api/openapi';

describe('docs/openapi.yaml', () => {
  it('is what `npm run openapi` makes from protocol/src/api/ now (regenerate when this fails)', () => {
    const file = readFileSync(join(import.meta.dirname, '../../../docs/openapi.yaml'), 'utf8');
    expect(file).toBe(openApiYaml());
  });

  it('has one contract per method and path, each naming who may call it', () => {
    const keys = allRoutes().map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of allRoutes())
      expect(r.access.length, `${r.method} ${r.path}`).toBeGreaterThan(0);
  });
});
