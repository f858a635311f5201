import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, gatewayConfigSchema, loadYamlConfig } from '@takt/protocol';

/**
 * `npm run validate-configs [dir-or-file ...]`: checks gateway configs against the schema.
 * Exits 1 if any is invalid. Files named `*.schema.*` or not `.yaml`/`.yml` are skipped.
 */
const targets = process.argv.slice(2);
const files = targets.flatMap((target) =>
  statSync(target).isDirectory()
    ? readdirSync(target)
        .filter((f) => /\.ya?ml$/.test(f) && !f.includes('.schema.'))
        .map((f) => join(target, f))
    : [target],
);
let failed = 0;
for (const file of files) {
  try {
    const config = loadYamlConfig(file, gatewayConfigSchema);
    console.log(`ok   ${file} (gateway ${config.gateway.id}, ${config.devices.length} devices)`);
  } catch (error) {
    failed++;
    console.log(
      error instanceof ConfigError ? error.message : `FAIL ${file}: ${(error as Error).message}`,
    );
  }
}
console.log(`${files.length - failed} valid, ${failed} invalid`);
process.exit(failed > 0 ? 1 : 0);
