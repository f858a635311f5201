// eslint-disable-next-line no-restricted-imports -- a build-time CLI (`npm run json-schema`), not part of the contract.
import { writeFileSync } from 'node:fs';
import { gatewayJsonSchema } from '../config/json-schema';

/** `npm run json-schema`: regenerates firmware-configs/gateway.schema.json from the zod schema. */
const out =
  process.argv[2] ??
  new URL('../../../firmware-configs/gateway.schema.json', import.meta.url).pathname;
writeFileSync(out, JSON.stringify(gatewayJsonSchema(), null, 2) + '\n');
console.log(`written ${out}`);
