import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startBroker, type RunningBroker } from '@takt/broker';
import { commandTopics, type UpdateResult } from '@takt/protocol';
import { requirePeer } from '@takt/sim';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repack, type BuiltPackage } from '../helpers/package-repack';
import { ServiceStandIn } from '../helpers/service-stand-in';

// Signed agent updates end to end (docs/decisions.md "Issue 25 — signed agent updates
// (gateway)"): a real x64 package built and signed by `npm run package:edge`, installed with
// its install.sh under --root, the agent running from it against a real broker, updates
// served over HTTP, the root updater (dist/updater.mjs) run as the path unit would.
const run = promisify(execFile);
const repo = join(import.meta.dirname, '../../..');
const version = (
  JSON.parse(readFileSync(join(repo, 'edge-agent/package.json'), 'utf8')) as { version: string }
).version;
const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
const next = (n: number) => `${major}.${minor}.${patch + n}`;
const GW = 'gw-up';
const work = mkdtempSync(join(tmpdir(), 'takt-update-'));
const root = join(work, 'root');
const stateDir = join(root, 'var/lib/takt');
const base = join(root, 'opt/takt-edge');
const release = generateKeyPairSync('ed25519');
const results: UpdateResult[] = [];
const served = new Map<string, string>();
let broker: RunningBroker;
let client: MqttClient;
let http: Server;
let httpPort = 0;
let service: ServiceStandIn;
let unpacked = '';

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}\nagent output:\n${service.output.slice(-3000)}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stepsOf = (id: number) => results.filter((r) => r.id === id).map((r) => r.step);
const lastOf = (id: number) => results.filter((r) => r.id === id).at(-1);

async function push(id: number, pkg: BuiltPackage): Promise<void> {
  served.set(pkg.sha256, pkg.file);
  const command = {
    v: 1,
    ts: Date.now(),
    id,
    version: pkg.version,
    arch: pkg.arch,
    sha256: pkg.sha256,
    size: pkg.size,
    signature: pkg.signature,
    url: `http://127.0.0.1:${httpPort}/api/agent-packages/${pkg.sha256}/download?token=t`,
    confirmWithinS: 60,
  };
  await client.publishAsync(commandTopics.command('s', GW, 'update'), JSON.stringify(command), {
    qos: 1,
    retain: true,
  });
}

/** What takt-edge-update.path starts: the installed updater, with the test's service. */
async function runUpdater(): Promise<string> {
  const updater = join(base, 'current/edge-agent/dist/updater.mjs');
  const { stdout } = await run(
    process.execPath,
    [
      updater,
      '--root',
      root,
      '--restart-cmd',
      service.restartCmd,
      '--status-cmd',
      service.statusCmd,
    ],
    { timeout: 120_000, env: { PATH: process.env.PATH ?? '' } },
  );
  return stdout;
}

/** Every queue segment's bytes: the disk queue the updater must never touch. */
function queueSnapshot(): Map<string, Buffer> {
  const dir = join(stateDir, GW, 'queue');
  return new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))]));
}

beforeAll(async () => {
  const pem = join(work, 'release.pem');
  const pub = join(work, 'release.pub');
  writeFileSync(pem, release.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(pub, release.publicKey.export({ type: 'spki', format: 'pem' }));
  const dist = join(work, 'dist');
  await run(
    'npm',
    ['run', 'package:edge', '--', '--arch', 'x64', '--out', dist, '--sign-key', pem],
    {
      cwd: repo,
      timeout: 400_000,
    },
  );
  await run('tar', ['-C', work, '-xzf', join(dist, `takt-edge-${version}-x64.tar.gz`)]);
  unpacked = join(work, `takt-edge-${version}-x64`);

  broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    users: [],
    allowAnonymous: true,
    log: pino({ level: 'silent' }),
  });
  client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`);
  client.on('message', (_topic, payload) => results.push(JSON.parse(payload.toString())));
  await client.subscribeAsync(commandTopics.commandResult('s', GW, 'update'), { qos: 1 });

  http = createServer((req, res) => {
    const sha = /^\/api\/agent-packages\/([0-9a-f]{64})\/download/.exec(req.url ?? '')?.[1];
    const file = sha && served.get(sha);
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  httpPort = (http.address() as AddressInfo).port;

  const config = join(work, 'gw.yaml');
  writeFileSync(
    config,
    [
      `gateway: { id: ${GW}, site: s }`,
      `mqtt: { url: "mqtt://127.0.0.1:${broker.port}" }`,
      'devices:',
      '  - { id: d, driver: simulated, machine: m1, pollIntervalMs: 200, tags: [{ name: x, channel: metric, signal: { kind: constant, value: 7 } }] }',
      '',
    ].join('\n'),
  );
  await run(join(unpacked, 'install.sh'), ['--root', root, '--package-key', pub, config], {
    timeout: 120_000,
  });
  service = new ServiceStandIn(
    join(base, 'current/edge-agent/dist/edge-agent.mjs'),
    join(root, 'etc/takt/gateway.yaml'),
    {
      TAKT_STATE_DIR: stateDir,
      TAKT_PACKAGE_SIGNING_PUB_FILE: join(root, 'etc/takt/package-signing.pub'),
      LOG_LEVEL: 'info',
    },
  );
  await service.listen(work);
  mkdirSync(stateDir, { recursive: true });
  service.start();
}, 600_000);

afterAll(async () => {
  await service?.close();
  await client?.publishAsync(commandTopics.command('s', GW, 'update'), '', { retain: true });
  await client?.endAsync();
  await broker?.stop();
  await new Promise((r) => http?.close(r));
});

const online = () =>
  JSON.parse(readFileSync(join(stateDir, 'online.json'), 'utf8')) as { version: string };

describe('signed agent updates on an installed gateway', () => {
  it('installs the release key, the updater units and the remote config place with the package', async () => {
    expect(readFileSync(join(root, 'etc/takt/package-signing.pub'), 'utf8')).toBe(
      release.publicKey.export({ type: 'spki', format: 'pem' }),
    );
    const units = join(root, 'etc/systemd/system');
    expect(readFileSync(join(units, 'takt-edge-update.path'), 'utf8')).toContain(
      'PathChanged=/var/lib/takt/updates/request.json',
    );
    expect(readFileSync(join(units, 'takt-edge-update.service'), 'utf8')).toContain(
      `ExecStart=${process.execPath} /opt/takt-edge/current/edge-agent/dist/updater.mjs`,
    );
    expect(readFileSync(join(units, 'takt-edge.service'), 'utf8')).toContain(
      'Environment=TAKT_REMOTE_CONFIG_FILE=/var/lib/takt/gateway.yaml',
    );
    requirePeer('systemd-analyze');
    await run('systemd-analyze', ['verify', 'takt-edge-update.service', 'takt-edge-update.path'], {
      cwd: units,
    });
    // A file that is not an Ed25519 public key stops the install before anything is put.
    const other = mkdtempSync(join(tmpdir(), 'takt-update-root-'));
    const notKey = join(work, 'not-a-key.pub');
    writeFileSync(notKey, 'hello\n');
    const failed = await run(
      join(unpacked, 'install.sh'),
      ['--root', other, '--package-key', notKey, join(root, 'etc/takt/gateway.yaml')],
      { timeout: 120_000 },
    ).then(
      () => '',
      (error: { stderr: string }) => error.stderr,
    );
    expect(failed).toContain(`${notKey} is not an Ed25519 public key`);
    expect(existsSync(join(other, 'opt'))).toBe(false);
  }, 120_000);

  it('installs a signed newer package, restarts into it and reports every step up to online', async () => {
    await until('the installed agent online', () => existsSync(join(stateDir, 'online.json')));
    expect(online().version).toBe(version);
    await until('readings queued on disk', () => existsSync(join(stateDir, GW, 'queue')));
    const queue = queueSnapshot();

    const pkg = repack({ unpacked, version: next(1), key: release.privateKey });
    await push(1, pkg);
    await until('the staged step', () => stepsOf(1).includes('staged'));
    expect(existsSync(join(stateDir, 'updates/request.json'))).toBe(true);
    const log = await runUpdater();
    expect(log).toContain(`update 1 to ${next(1)}: online`);
    await until('the online step', () => stepsOf(1).includes('online'));
    expect(stepsOf(1)).toEqual([
      'received',
      'downloaded',
      'verified',
      'staged',
      'installing',
      'online',
    ]);
    expect(results.filter((r) => r.id === 1).every((r) => r.ok)).toBe(true);
    expect(lastOf(1)!.agentVersion).toBe(next(1));
    expect(results.find((r) => r.id === 1 && r.step === 'received')!.agentVersion).toBe(version);
    expect(readlinkSync(join(base, 'current'))).toBe(next(1));
    expect(online().version).toBe(next(1));
    // The release updated from stays for a rollback.
    expect(existsSync(join(base, version, 'edge-agent/dist/edge-agent.mjs'))).toBe(true);
    // The agent records the id, then removes the request: another process, so wait for both.
    await until(
      'the finished id recorded and the request removed',
      () =>
        existsSync(join(stateDir, 'updates/finished.json')) &&
        !existsSync(join(stateDir, 'updates/request.json')),
    );

    // The retained command comes back on every reconnect: no second install, no second result.
    await service.restart();
    const marker = repack({ unpacked, version: '9.9.9', arch: 'arm64', key: release.privateKey });
    await push(2, marker);
    await until('the marker update refused', () => stepsOf(2).includes('refused'));
    expect(stepsOf(1)).toHaveLength(6);

    // The queue's bytes from before the update are all still there.
    for (const [file, bytes] of queue) {
      const now = readFileSync(join(stateDir, GW, 'queue', file));
      expect(now.subarray(0, bytes.length).equals(bytes), file).toBe(true);
    }
  }, 180_000);

  it('refuses a package for another architecture and one signed with another key', async () => {
    expect(lastOf(2)).toMatchObject({
      step: 'refused',
      ok: false,
      error: 'the package is for arm64 but this gateway is x64',
    });
    const forged = repack({
      unpacked,
      version: next(5),
      key: generateKeyPairSync('ed25519').privateKey,
    });
    await push(3, forged);
    await until('the signature refusal', () => stepsOf(3).includes('refused'));
    expect(stepsOf(3)).toEqual(['received', 'refused']);
    expect(lastOf(3)!.error).toContain('signature is not valid');
    // Signed for arm64, announced as x64: the signature binds the architecture.
    const renamed = repack({
      unpacked,
      version: next(6),
      key: release.privateKey,
      signArch: 'arm64',
    });
    await push(4, renamed);
    await until('the renamed-arch refusal', () => stepsOf(4).includes('refused'));
    expect(lastOf(4)!.error).toContain('signature is not valid');
    expect(existsSync(join(stateDir, 'updates/request.json'))).toBe(false);
    expect(readlinkSync(join(base, 'current'))).toBe(next(1));
  }, 60_000);

  it('rolls back a package whose agent exits at start, and the old agent reports it', async () => {
    const before = queueSnapshot();
    const crash = repack({
      unpacked,
      version: next(2),
      key: release.privateKey,
      files: { 'edge-agent/dist/edge-agent.mjs': 'console.error("boom");\nprocess.exit(1);\n' },
    });
    await push(5, crash);
    await until('the staged step', () => stepsOf(5).includes('staged'));
    const log = await runUpdater();
    expect(log).toContain('rolling back');
    await until('the rolled-back step', () => stepsOf(5).includes('rolled-back'));
    expect(stepsOf(5)).toEqual([
      'received',
      'downloaded',
      'verified',
      'staged',
      'installing',
      'rolled-back',
    ]);
    expect(lastOf(5)).toMatchObject({
      ok: false,
      error: 'the new agent exited with code 1 at start',
      agentVersion: next(1),
    });
    expect(readlinkSync(join(base, 'current'))).toBe(next(1));
    expect(existsSync(join(base, next(2)))).toBe(false);
    await until('the old agent online again', () => online().version === next(1));
    for (const [file, bytes] of before) {
      const now = readFileSync(join(stateDir, GW, 'queue', file));
      expect(now.subarray(0, bytes.length).equals(bytes), file).toBe(true);
    }
  }, 180_000);
});
