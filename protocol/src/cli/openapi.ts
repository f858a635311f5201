/** `npm run openapi`: writes docs/openapi.yaml from the route contracts (protocol/src/api/). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiYaml } from '../api/openapi';

const target = join(import.meta.dirname, '../../../docs/openapi.yaml');
writeFileSync(target, openApiYaml());
console.log(`wrote ${target}`);
