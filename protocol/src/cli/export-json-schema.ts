// eslint-disable-next-line no-restricted-imports -- a build-time CLI (`npm run json-schema`), not part of the contract.
import { mkdirSync, writeFileSync } from 'node:fs';
import { gatewayJsonSchema } from '../config/json-schema';
import { wireJsonSchemas } from '../wire-json-schema';

/**
 * `npm run json-schema`: regenerates firmware-configs/gateway.schema.json and one
 * docs/wire-schemas/<kind>.schema.json per wire payload kind from the zod schemas.
 */
const root = new URL('../../../', import.meta.url);
const write = (path: string, schema: unknown) => {
  writeFileSync(path, JSON.stringify(schema, null, 2) + '\n');
  console.log(`written ${path}`);
};

write(
  process.argv[2] ?? new URL('firmware-configs/gateway.schema.json', root).pathname,
  gatewayJsonSchema(),
);
const dir = new URL('docs/wire-schemas/', root).pathname;
mkdirSync(dir, { recursive: true });
for (const [kind, schema] of Object.entries(wireJsonSchemas())) {
  write(`${dir}${kind}.schema.json`, schema);
}
