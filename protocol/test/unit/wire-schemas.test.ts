import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { payloadSchemas } from '../../src/payloads';
import { wireJsonSchemas } from '../../src/wire-json-schema';

const dir = join(import.meta.dirname, '../../../docs/wire-schemas');

describe('wire payload JSON Schemas (docs/wire-schemas/)', () => {
  it('has one committed, current file per payload kind (regenerate with npm run json-schema)', () => {
    const generated = wireJsonSchemas();
    expect(Object.keys(generated).sort()).toEqual(Object.keys(payloadSchemas).sort());
    expect(readdirSync(dir).sort()).toEqual(
      Object.keys(payloadSchemas)
        .map((kind) => `${kind}.schema.json`)
        .sort(),
    );
    for (const [kind, schema] of Object.entries(generated)) {
      const committed = JSON.parse(readFileSync(join(dir, `${kind}.schema.json`), 'utf8'));
      expect(committed, `${kind}.schema.json is stale`).toEqual(schema);
    }
  });

  it('states what a publisher must send', () => {
    const metrics = wireJsonSchemas().metrics as {
      required: string[];
      properties: { readings: { minItems: number; maxItems: number } };
    };
    expect(metrics.required).toEqual(expect.arrayContaining(['v', 'seq', 'ts', 'readings']));
    expect(metrics.properties.readings).toMatchObject({ minItems: 1, maxItems: 5000 });
  });
});
