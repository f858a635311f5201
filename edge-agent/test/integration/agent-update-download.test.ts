import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageSignedText, type UpdateResult } from '@takt/protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentUpdate } from '../../src/update/agent-update';

// The agent's half of signed updates (edge-agent/src/update/agent-update.ts) against a real
// HTTP server: download, checks, staging, the updater's outcome reported once.
const release = generateKeyPairSync('ed25519');
const body = Buffer.from('a package of some bytes '.repeat(1000));
const sum = createHash('sha256').update(body).digest('hex');
/** Per path: how to answer (a queue of status codes first, then the body). */
const plans = new Map<string, { fail: number[]; send: Buffer }>();
let url = '';
const server = createServer((req, res) => {
  const plan = plans.get(req.url ?? '');
  if (!plan) return void res.writeHead(404).end();
  const status = plan.fail.shift();
  if (status) return void res.writeHead(status).end();
  res.writeHead(200).end(plan.send);
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

function gateway(opts: { key?: boolean; version?: string } = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), 'takt-agent-update-'));
  const keyFile = join(stateDir, 'package-signing.pub');
  if (opts.key !== false)
    writeFileSync(keyFile, release.publicKey.export({ type: 'spki', format: 'pem' }));
  const results: UpdateResult[] = [];
  const update = new AgentUpdate({
    stateDir,
    site: 's',
    gatewayId: 'gw',
    agentVersion: opts.version ?? '1.0.0',
    nodeArch: 'x64',
    publicKeyFile: keyFile,
    publish: (_topic, payload, done) => {
      results.push(JSON.parse(payload) as UpdateResult);
      done?.();
    },
    log: pino({ level: 'silent' }),
    now: Date.now,
    retryDelayMs: 5,
  });
  return { stateDir, update, results, steps: () => results.map((r) => r.step) };
}

function command(id: number, path: string, extra: Record<string, unknown> = {}) {
  const version = (extra.version as string) ?? '1.1.0';
  const signature = sign(
    null,
    Buffer.from(packageSignedText(version, 'x64', sum)),
    release.privateKey,
  );
  return Buffer.from(
    JSON.stringify({
      v: 1,
      ts: Date.now(),
      id,
      version,
      arch: 'x64',
      sha256: sum,
      size: body.length,
      signature: signature.toString('base64'),
      url: `${url}${path}`,
      confirmWithinS: 60,
      ...extra,
    }),
  );
}

describe('the agent side of a signed update', () => {
  it('downloads, checks and stages a package, retrying a failing server, and handles an id once', async () => {
    plans.set('/ok', { fail: [503, 502], send: body });
    const g = gateway();
    await g.update.handle(command(1, '/ok'));
    expect(g.steps()).toEqual(['received', 'downloaded', 'verified', 'staged']);
    expect(
      g.results.every((r) => r.ok && r.agentVersion === '1.0.0' && r.version === '1.1.0'),
    ).toBe(true);
    const request = JSON.parse(readFileSync(join(g.stateDir, 'updates/request.json'), 'utf8'));
    expect(request).toMatchObject({
      id: 1,
      version: '1.1.0',
      arch: 'x64',
      sha256: sum,
      confirmWithinS: 60,
    });
    expect(readFileSync(join(g.stateDir, 'updates', `${sum}.tar.gz`)).equals(body)).toBe(true);

    // The retained command again (a reconnect): staged already, nothing new.
    await g.update.handle(command(1, '/ok'));
    expect(g.results).toHaveLength(4);
    // Another update while this one waits for the updater: refused, the staged one kept.
    await g.update.handle(command(9, '/ok', { version: '1.2.0' }));
    expect(g.results.slice(4).map((r) => [r.id, r.step, r.error])).toEqual([
      [9, 'received', undefined],
      [9, 'refused', 'update 1 to 1.1.0 is still being installed'],
    ]);
    g.results.splice(4);
    expect(JSON.parse(readFileSync(join(g.stateDir, 'updates/request.json'), 'utf8')).id).toBe(1);

    // The updater's outcome, for another agent version: not this agent's to report.
    const outcome = (reporter: string) => ({
      id: 1,
      version: '1.1.0',
      from: '1.0.0',
      reporter,
      steps: [
        { step: 'installing', ok: true, ts: 1 },
        {
          step: 'rolled-back',
          ok: false,
          error: 'the new agent exited with code 1 at start',
          ts: 2,
        },
      ],
    });
    writeFileSync(join(g.stateDir, 'updates/outcome.json'), JSON.stringify(outcome('1.1.0')));
    g.update.start(false);
    expect(g.results).toHaveLength(4);
    writeFileSync(join(g.stateDir, 'updates/outcome.json'), JSON.stringify(outcome('1.0.0')));
    g.update.connected();
    g.update.stop();
    expect(g.steps().slice(4)).toEqual(['installing', 'rolled-back']);
    expect(g.results.at(-1)).toMatchObject({
      ok: false,
      error: 'the new agent exited with code 1 at start',
    });
    expect(JSON.parse(readFileSync(join(g.stateDir, 'online.json'), 'utf8'))).toMatchObject({
      version: '1.0.0',
    });
    expect(JSON.parse(readFileSync(join(g.stateDir, 'updates/finished.json'), 'utf8'))).toEqual({
      id: 1,
      ids: [9, 1],
    });
    for (const f of ['request.json', 'outcome.json', `${sum}.tar.gz`])
      expect(existsSync(join(g.stateDir, 'updates', f)), f).toBe(false);

    // Finished: the retained command is ignored from now on.
    await g.update.handle(command(1, '/ok'));
    await g.update.handle(command(9, '/ok', { version: '1.2.0' }));
    expect(g.results).toHaveLength(6);
  });

  it('refuses with the reason: bad bytes, too many bytes, a server that says no, no key, its own version', async () => {
    const tampered = Buffer.from(body);
    tampered[0] = 0x41 ^ tampered[0]!;
    plans.set('/tampered', { fail: [], send: tampered });
    plans.set('/long', { fail: [], send: Buffer.concat([body, Buffer.from('more')]) });
    plans.set('/gone', { fail: [403, 403, 403], send: body });
    plans.set('/down', { fail: [503, 503, 503], send: body });
    const cases: [string, Buffer, Parameters<typeof gateway>[0]][] = [
      ['tampered', command(2, '/tampered'), {}],
      ['long', command(3, '/long'), {}],
      ['gone', command(4, '/gone'), {}],
      ['down', command(5, '/down'), {}],
      ['no key', command(6, '/ok'), { key: false }],
      ['same version', command(7, '/ok', { version: '1.0.0' }), {}],
    ];
    const errors: Record<string, string | undefined> = {};
    for (const [name, cmd, opts] of cases) {
      const g = gateway(opts);
      await g.update.handle(cmd);
      expect(g.steps().at(-1), name).toBe('refused');
      expect(existsSync(join(g.stateDir, 'updates/request.json')), name).toBe(false);
      errors[name] = g.results.at(-1)!.error;
    }
    expect(errors).toEqual({
      tampered: expect.stringMatching(/^the download's sha256 is [0-9a-f]{64}, the command says/),
      long: `the server sent more than the announced ${body.length} bytes`,
      gone: 'the server answered 403 Forbidden',
      down: 'the download failed after 3 tries: the server answered 503 Service Unavailable',
      'no key': expect.stringMatching(
        /^no package signing key installed \(.*\): install it with install.sh --package-key$/,
      ),
      'same version': 'this gateway already runs version 1.0.0',
    });
    expect(plans.get('/gone')!.fail).toHaveLength(2); // a 403 is not tried again
  });
});
