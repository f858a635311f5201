import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

/**
 * The dependency rules of eslint.config.js (docs/decisions.md "Dependency rules"), run
 * through ESLint's own API on snippets placed where they would live. The files need not
 * exist: the rules read paths, not types, so type information is switched off here (it
 * would need the file on disk) and the snippets lint in milliseconds.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root, overrideConfig: tseslint.configs.disableTypeChecked });

const DEPENDENCY_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax']);

/** The dependency-rule messages ESLint gives `code` at `path`. */
async function violations(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}/${path}` });
  if (!result) throw new Error(`no lint result for ${path}`);
  const fatal = result.messages.find((m) => m.fatal);
  if (fatal) throw new Error(`${path}: ${fatal.message}`);
  return result.messages.filter((m) => DEPENDENCY_RULES.has(m.ruleId ?? '')).map((m) => m.message);
}

describe('dependency rules', () => {
  it('refuses I/O in the domain folder, with and without node:', async () => {
    const at = 'ingest/src/domain/new-rule.ts';
    expect(await violations(at, "import pg from 'pg';\nexport const p = pg;\n")).toEqual([
      expect.stringContaining('takt/pure-domain'),
    ]);
    for (const io of [
      'node:fs',
      'fs',
      'node:net',
      'node:http',
      'child_process',
      'mqtt',
      'fastify',
      'socket.io',
      'pg-copy-streams',
    ]) {
      expect(await violations(at, `import '${io}';\n`), io).toEqual([
        expect.stringContaining('takt/pure-domain'),
      ]);
    }
    expect(await violations(at, "export const load = () => import('node:fs/promises');\n")).toEqual(
      [expect.stringContaining('takt/pure-domain')],
    );
  });

  it('refuses wall-clock reads in the domain folder and the edge codecs', async () => {
    for (const read of ['Date.now()', 'new Date()', 'performance.now()']) {
      for (const at of [
        'ingest/src/domain/new-rule.ts',
        'edge-agent/src/drivers/modbus/codec.ts',
      ]) {
        expect(
          await violations(at, `export const t = () => ${read};\n`),
          `${read} in ${at}`,
        ).toEqual([expect.stringMatching(/^takt\/pure-domain: .*`now`/)]);
      }
    }
  });

  it('lets pure code take `now` in, and code outside the domain read the clock', async () => {
    const pure =
      "import type { MachineState } from '@takt/protocol';\nimport { measure } from './intervals';\n" +
      'export const age = (s: MachineState, since: number, now: number) => [s, measure([{ start: since, end: now }]), new Date(now)];\n';
    expect(await violations('ingest/src/domain/new-rule.ts', pure)).toEqual([]);
    expect(
      await violations(
        'ingest/src/plugins/new-plugin.ts',
        "import pg from 'pg';\nexport const t = [pg, Date.now()];\n",
      ),
    ).toEqual([]);
  });

  it('refuses sim in shipped code and allows it in tests, benches and scripts', async () => {
    expect(await violations('edge-agent/src/new-driver.ts', "import '@takt/sim';\n")).toEqual([
      expect.stringContaining('takt/sim-only-in-tests'),
    ]);
    expect(
      await violations(
        'ingest/src/new-file.ts',
        "import { freePort } from '../../sim/src/free-port';\nexport const f = freePort;\n",
      ),
    ).toEqual([expect.stringContaining('takt/sim-only-in-tests')]);
    for (const at of [
      'edge-agent/test/unit/new.test.ts',
      'test/e2e/new.test.ts',
      'bench/new.ts',
      'scripts/new.ts',
      'sim/src/new.ts',
    ]) {
      expect(await violations(at, "import '@takt/sim';\n"), at).toEqual([]);
    }
  });

  it('refuses ingest in the edge and the dashboard', async () => {
    expect(await violations('dashboard/src/new-page.tsx', "import '@takt/ingest';\n")).toEqual([
      expect.stringContaining('takt/no-ingest'),
    ]);
    expect(
      await violations('edge-agent/src/new-file.ts', "import '../../ingest/src/domain/oee';\n"),
    ).toEqual([expect.stringContaining('takt/no-ingest')]);
    expect(
      await violations('edge-agent/test/unit/new.test.ts', "import '@takt/ingest';\n"),
    ).toEqual([expect.stringContaining('takt/no-ingest')]);
  });

  it('keeps protocol free of the other workspaces and of I/O', async () => {
    expect(await violations('protocol/src/new-schema.ts', "import '@takt/broker';\n")).toEqual([
      expect.stringContaining('takt/protocol-standalone'),
    ]);
    expect(await violations('protocol/src/new-schema.ts', "import 'node:http';\n")).toEqual([
      expect.stringContaining('takt/protocol-standalone'),
    ]);
    expect(
      await violations(
        'protocol/src/new-schema.ts',
        "import { z } from 'zod';\nexport const s = z.string();\n",
      ),
    ).toEqual([]);
  });
});
