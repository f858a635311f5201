import { z } from 'zod';
import { gatewayConfigSchema } from './gateway';

/**
 * The gateway config as JSON Schema (draft 2020-12), for editors: a YAML file that starts
 * with `# yaml-language-server: $schema=./gateway.schema.json` gets completion and checks.
 * Input side: fields with defaults are optional, as they are when writing the file.
 */
export function gatewayJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(gatewayConfigSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Takt gateway config',
    description: 'firmware-configs/<gateway>.yaml — reference: docs/config-reference.md',
  };
}
