/** `npm run openapi`: writes docs/openapi.yaml from the route contracts (protocol/src/api/). */
// eslint-disable-next-line no-restricted-imports -- a build-time CLI (`npm run openapi`), not part of the contract.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiYaml } from '../api/openapi';

const target = join(import.meta.dirname, '../../../docs/openapi.yaml');
writeFileSync(target, openApiYaml());
console.log(`wrote ${target}`);
