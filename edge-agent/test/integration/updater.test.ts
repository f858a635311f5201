import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageSignedText } from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import type { UpdateOutcome, UpdateRequest } from '../../src/update/files';
import { Updater } from '../../src/update/updater';

// The root updater (edge-agent/src/update/updater.ts) on small hand-made packages, every way it
// can end; the installed package end to end is in agent-update.test.ts.
const release = generateKeyPairSync('ed25519');
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** A package tree like package:edge's: manifest.json with every file's sha256, tar.gz. */
function makePackage(dir: string, version: string, arch = 'x64', uname = ['x86_64']): Buffer {
  const name = `takt-edge-${version}-${arch}`;
  const top = join(dir, 'src', name);
  mkdirSync(join(top, 'edge-agent/dist'), { recursive: true });
  const files: Record<string, string> = {
    'edge-agent/dist/edge-agent.mjs': `// agent ${version}\n`,
    'install.sh': '#!/bin/sh\n',
  };
  for (const [f, text] of Object.entries(files)) writeFileSync(join(top, f), text);
  writeFileSync(
    join(top, 'manifest.json'),
    JSON.stringify({
      name: 'takt-edge',
      version,
      arch,
      uname,
      files: Object.fromEntries(Object.entries(files).map(([f, t]) => [f, sha256(t)])),
    }),
  );
  execFileSync('tar', ['-C', join(dir, 'src'), '-czf', join(dir, 'pkg.tar.gz'), name]);
  return readFileSync(join(dir, 'pkg.tar.gz'));
}

interface Setup {
  root: string;
  stateDir: string;
  base: string;
  request: UpdateRequest;
  restarts: string[];
  queueFile: string;
}

/** An installed gateway at 1.0.0 (and older releases), a package staged by the agent. */
function setup(opts: {
  version?: string;
  key?: KeyObject;
  installKey?: boolean;
  arch?: string;
  uname?: string[];
  olderReleases?: string[];
}): Setup {
  const root = mkdtempSync(join(tmpdir(), 'takt-updater-'));
  const stateDir = join(root, 'var/lib/takt');
  const base = join(root, 'opt/takt-edge');
  for (const v of ['1.0.0', ...(opts.olderReleases ?? [])])
    mkdirSync(join(base, v, 'edge-agent/dist'), { recursive: true });
  symlinkSync('1.0.0', join(base, 'current'));
  mkdirSync(join(root, 'etc/takt'), { recursive: true });
  if (opts.installKey !== false)
    writeFileSync(
      join(root, 'etc/takt/package-signing.pub'),
      release.publicKey.export({ type: 'spki', format: 'pem' }),
    );
  const queueFile = join(stateDir, 'gw/queue/seg-000000000001.q');
  mkdirSync(join(stateDir, 'gw/queue'), { recursive: true });
  writeFileSync(queueFile, 'unacked readings');
  const version = opts.version ?? '1.1.0';
  const arch = opts.arch ?? 'x64';
  const data = makePackage(root, version, arch, opts.uname);
  const sum = sha256(data);
  mkdirSync(join(stateDir, 'updates'), { recursive: true });
  writeFileSync(join(stateDir, 'updates', `${sum}.tar.gz`), data);
  const request: UpdateRequest = {
    id: 7,
    version,
    arch,
    sha256: sum,
    size: data.length,
    signature: sign(
      null,
      Buffer.from(packageSignedText(version, arch, sum)),
      opts.key ?? release.privateKey,
    ).toString('base64'),
    confirmWithinS: 30,
    stagedAt: 0,
  };
  writeFileSync(join(stateDir, 'updates/request.json'), JSON.stringify(request));
  return { root, stateDir, base, request, restarts: [], queueFile };
}

/** The updater with a simulated clock; `onRestart` plays the service. */
function updater(
  s: Setup,
  onRestart: (current: string) => void,
  exited?: () => string | undefined,
) {
  let clock = 1_000_000;
  return new Updater({
    root: s.root,
    stateDir: s.stateDir,
    restart: () => {
      const current = readlinkSync(join(s.base, 'current'));
      s.restarts.push(current);
      onRestart(current);
    },
    exited: exited ?? (() => undefined),
    machine: 'x86_64',
    now: () => clock,
    sleep: async (ms) => void (clock += ms),
    log: () => undefined,
  });
}

const outcome = (s: Setup) =>
  JSON.parse(readFileSync(join(s.stateDir, 'updates/outcome.json'), 'utf8')) as UpdateOutcome;
const markOnline = (s: Setup, version: string) =>
  writeFileSync(
    join(s.stateDir, 'online.json'),
    JSON.stringify({ version, pid: 1, ts: 2_000_000 }),
  );

describe('the root updater', () => {
  it('installs beside the running release, switches current, confirms online and keeps two releases', async () => {
    const s = setup({ olderReleases: ['0.9.0', '0.8.0'] });
    expect(await updater(s, (v) => markOnline(s, v)).run()).toBe(true);
    expect(readlinkSync(join(s.base, 'current'))).toBe('1.1.0');
    expect(readFileSync(join(s.base, '1.1.0/edge-agent/dist/edge-agent.mjs'), 'utf8')).toBe(
      '// agent 1.1.0\n',
    );
    expect(readdirSync(s.base).sort()).toEqual(['1.0.0', '1.1.0', 'current']);
    expect(s.restarts).toEqual(['1.1.0']);
    expect(outcome(s)).toMatchObject({
      id: 7,
      version: '1.1.0',
      from: '1.0.0',
      reporter: '1.1.0',
      steps: [
        { step: 'installing', ok: true },
        { step: 'online', ok: true },
      ],
    });
    expect(readFileSync(s.queueFile, 'utf8')).toBe('unacked readings');
    // Started again for the same request (the path unit sees the agent's clean-up): nothing.
    expect(await updater(s, () => undefined).run()).toBe(false);
    expect(s.restarts).toEqual(['1.1.0']);
  });

  it('rolls back when the new agent does not come online within the confirm time', async () => {
    const s = setup({});
    // An online.json left by the old agent does not count: it names the old version.
    markOnline(s, '1.0.0');
    await updater(s, () => undefined).run();
    expect(readlinkSync(join(s.base, 'current'))).toBe('1.0.0');
    expect(s.restarts).toEqual(['1.1.0', '1.0.0']);
    expect(existsSync(join(s.base, '1.1.0'))).toBe(false);
    expect(outcome(s)).toMatchObject({
      reporter: '1.0.0',
      steps: [
        { step: 'installing', ok: true },
        {
          step: 'rolled-back',
          ok: false,
          error: 'the new agent did not come online within 30 s',
        },
      ],
    });
    expect(readFileSync(s.queueFile, 'utf8')).toBe('unacked readings');
  });

  it('rolls back at once when the new agent exits at start', async () => {
    const s = setup({});
    await updater(
      s,
      () => undefined,
      () => (readlinkSync(join(s.base, 'current')) === '1.1.0' ? 'exited with code 3' : undefined),
    ).run();
    expect(readlinkSync(join(s.base, 'current'))).toBe('1.0.0');
    expect(outcome(s).steps.at(-1)).toMatchObject({
      step: 'rolled-back',
      error: 'the new agent exited with code 3 at start',
    });
  });

  it('checks the staged package again and refuses it without restarting anything', async () => {
    const cases: [string, Setup, (s: Setup) => void][] = [
      ['another key', setup({ key: generateKeyPairSync('ed25519').privateKey }), () => undefined],
      ['no key', setup({ installKey: false }), () => undefined],
      ['another machine', setup({ uname: ['aarch64'] }), () => undefined],
      [
        'changed after staging',
        setup({}),
        (s) => writeFileSync(join(s.stateDir, 'updates', `${s.request.sha256}.tar.gz`), 'tampered'),
      ],
      ['the running version', setup({ version: '1.0.0' }), () => undefined],
    ];
    const errors: Record<string, string | undefined> = {};
    for (const [name, s, spoil] of cases) {
      spoil(s);
      await updater(s, () => undefined).run();
      expect(s.restarts, name).toEqual([]);
      expect(readlinkSync(join(s.base, 'current')), name).toBe('1.0.0');
      expect(outcome(s).steps, name).toHaveLength(1);
      expect(outcome(s).reporter, name).toBe('1.0.0');
      errors[name] = outcome(s).steps[0]!.step + ': ' + outcome(s).steps[0]!.error;
      expect(readFileSync(s.queueFile, 'utf8')).toBe('unacked readings');
    }
    expect(errors).toEqual({
      'another key':
        'refused: the package signature is not valid for the installed package signing key',
      'no key': expect.stringMatching(
        /^refused: no package signing key installed \(.*package-signing\.pub\)$/,
      ),
      'another machine': 'refused: the package is for x64 but this machine is x86_64',
      'changed after staging': expect.stringMatching(
        /^refused: the staged package's sha256 is [0-9a-f]{64}, the request says/,
      ),
      'the running version': 'refused: version 1.0.0 is already installed and running',
    });
  });
});
