import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const main = join(import.meta.dirname, '../../src/main.ts');

async function runAgent(yaml: string): Promise<{ code: number; output: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'takt-cli-')), 'gw.yaml');
  writeFileSync(file, yaml);
  try {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', main, file], {
      timeout: 20_000,
    });
    return { code: 0, output: '' };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: (e.stdout + e.stderr).replace(file, 'gw.yaml') };
  }
}

describe('edge-agent start with a bad config', () => {
  it('stops with the file, the line, the path and the problem, and no stack trace', async () => {
    const { code, output } = await runAgent(
      [
        'gateway: { id: gw-1, site: s }',
        'mqtt: { url: mqtt://127.0.0.1:1, colour: red }',
        'devices: []',
        '',
      ].join('\n'),
    );
    expect(code).toBe(1);
    expect(output).toContain('gw.yaml:2: mqtt.colour: unknown key');
    expect(output).toContain('gw.yaml:3: devices: Too small');
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('refuses to start without the password it was told to read', async () => {
    const { code, output } = await runAgent(
      [
        'gateway: { id: gw-1, site: s }',
        'mqtt: { url: mqtt://127.0.0.1:1, username: gw-1, passwordEnv: TAKT_TEST_UNSET_PASSWORD }',
        'devices:',
        '  - { id: d, driver: modbus-tcp, host: 127.0.0.1, machine: m, tags: [{ name: t, channel: metric, address: 0 }] }',
        '',
      ].join('\n'),
    );
    expect(code).toBe(1);
    expect(output).toContain(
      'EDGE_ERR_NO_PASSWORD: the MQTT password is not set: put it in the environment variable TAKT_TEST_UNSET_PASSWORD',
    );
  });
});
