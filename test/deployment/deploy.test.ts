import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, requirePeer } from '@takt/sim';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createTestDatabase } from '../../ingest/test/helpers/test-db';
import { waitFor } from '../helpers/wait';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '../..');

/** The variables docs/deployment.md has the plant set in .env. */
const DOCUMENTED = {
  POSTGRES_PASSWORD: 'ci',
  TAKT_INGEST_MQTT_PASSWORD: 'ci',
  TAKT_GW_DEMO_PASSWORD: 'ci',
  TAKT_PUBLIC_HOST: 'takt.plant.example',
};

interface Service {
  image?: string;
  build?: unknown;
  ports?: { published: number | string; target: number | string }[];
  environment?: Record<string, string>;
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
  read_only?: boolean;
  volumes?: string[];
}

async function composeConfig(env: Record<string, string>): Promise<Record<string, Service>> {
  requirePeer('docker-compose');
  const { stdout } = await run('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
    cwd: repo,
    env: { PATH: process.env.PATH, ...env },
  });
  return (parse(stdout) as { services: Record<string, Service> }).services;
}

describe('docker-compose: HTTPS in front, nothing plain published, every service hardened', () => {
  it('publishes only HTTPS (Caddy) and MQTT over TLS; ingest has no port of its own', async () => {
    const services = await composeConfig(DOCUMENTED);
    expect(Object.keys(services).sort()).toEqual(
      ['broker', 'caddy', 'edge-agent', 'ingest', 'sim', 'timescaledb'].sort(),
    );
    expect(services.ingest!.ports).toBeUndefined();
    const published = Object.entries(services).flatMap(([name, s]) =>
      (s.ports ?? []).map((p) => `${name}:${p.published}->${p.target}`),
    );
    expect(published.sort()).toEqual(['broker:8883->8883', 'caddy:443->443']);

    const env = services.ingest!.environment!;
    expect(env.TAKT_HTTPS).toBe('true');
    // One hop (Caddy), never `true` (every hop).
    expect(env.TAKT_TRUST_PROXY).toBe('1');
    expect(env.TAKT_PUBLIC_URL).toBe('https://takt.plant.example');
    const caddyfile = readFileSync(join(repo, 'Caddyfile'), 'utf8');
    expect(caddyfile).toMatch(/^\s*reverse_proxy ingest:8080$/m);
    expect(caddyfile).toMatch(/^\s*tls \{\$TAKT_TLS:internal\}$/m);
    expect(services.caddy!.volumes).toContain(`${repo}/Caddyfile:/etc/caddy/Caddyfile:ro`);
  });

  it('drops every capability, forbids new privileges and mounts the root read-only everywhere', async () => {
    const services = await composeConfig(DOCUMENTED);
    for (const [name, s] of Object.entries(services)) {
      expect(s.cap_drop, name).toEqual(['ALL']);
      expect(s.security_opt, name).toContain('no-new-privileges:true');
      expect(s.read_only, name).toBe(true);
    }
    // The one capability given back: Caddy's binary cannot start without it (docker-compose.yml).
    expect(
      Object.entries(services)
        .filter(([, s]) => s.cap_add)
        .map(([name, s]) => [name, s.cap_add]),
    ).toEqual([['caddy', ['NET_BIND_SERVICE']]]);
  });

  it('pins every image to an exact version', async () => {
    const services = await composeConfig(DOCUMENTED);
    for (const [name, s] of Object.entries(services)) {
      if (s.build) expect(s.image, name).toMatch(/^takt\/[a-z-]+:\d+\.\d+\.\d+$/);
      else expect(s.image, name).toMatch(/:\d+\.\d+\.\d+(-[a-z0-9]+)*$/);
    }
  });

  it('refuses to render without the public host name', async () => {
    const rest: Record<string, string> = { ...DOCUMENTED };
    delete rest.TAKT_PUBLIC_HOST;
    await expect(composeConfig(rest)).rejects.toMatchObject({
      stderr: expect.stringContaining('set TAKT_PUBLIC_HOST'),
    });
  });
});

describe('Dockerfiles: a supported Node, bundled JavaScript, an unprivileged user', () => {
  const files = execFileSync('git', ['ls-files', '*Dockerfile'], { cwd: repo, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);

  it('finds the four service images', () => {
    expect(files.sort()).toEqual(
      ['broker/Dockerfile', 'edge-agent/Dockerfile', 'ingest/Dockerfile', 'sim/Dockerfile'].sort(),
    );
  });

  it.each(files)('%s: an exact LTS base (no node:20), node on a bundle, as `node`', (file) => {
    const text = readFileSync(join(repo, file), 'utf8');
    expect(text).not.toMatch(/node:20/);
    const base = /^ARG NODE_IMAGE=node:(\d+)\.(\d+)\.(\d+)-bookworm-slim$/m.exec(text);
    expect(base, 'ARG NODE_IMAGE=node:<major>.<minor>.<patch>-bookworm-slim').not.toBeNull();
    expect([22, 24]).toContain(Number(base![1]));
    const cmd = /^CMD \[(.*)\]$/m.exec(text)![1]!;
    expect(cmd).toMatch(/^"node", "[a-z-]+\/dist\/[a-z-]+\.mjs"/);
    expect(text).not.toMatch(/tsx/);
    const final = text.slice(text.lastIndexOf('\nFROM '));
    expect(final).toMatch(/^USER node$/m);
  });

  it('ingest: a CJK font in the final image, for Chinese travellers and report images', () => {
    const text = readFileSync(join(repo, 'ingest/Dockerfile'), 'utf8');
    const final = text.slice(text.lastIndexOf('\nFROM '));
    expect(final).toMatch(/apt-get install [^\n]*fonts-wqy-microhei/);
  });
});

describe('the service bundles run with plain node', () => {
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    }
  });

  function start(script: string, env: Record<string, string>): ChildProcess {
    const child = spawn(process.execPath, [script], {
      cwd: repo,
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    return child;
  }

  it('builds broker, ingest and sim, then runs the broker and ingest bundles end to end', async () => {
    for (const workspace of ['broker', 'ingest', 'sim'])
      await run(process.execPath, ['scripts/bundle.mjs', workspace], { cwd: repo });

    const mqttPort = await freePort();
    start('broker/dist/broker.mjs', {
      TAKT_BROKER_PORT: String(mqttPort),
      TAKT_BROKER_ALLOW_ANONYMOUS: 'true',
    });
    const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    const client = await waitFor('the bundled broker accepting MQTT', () =>
      mqtt.connectAsync(mqttUrl, { reconnectPeriod: 0 }),
    );
    await client.endAsync();

    // Ingest's bundle finds its migrations and runs them (a fresh database), then subscribes.
    const httpPort = await freePort();
    const ingest = start('ingest/dist/ingest.mjs', {
      DATABASE_URL: await createTestDatabase('takt_bundle'),
      TAKT_MQTT_URL: mqttUrl,
      TAKT_HTTP_PORT: String(httpPort),
    });
    let stderr = '';
    ingest.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const health = await waitFor(
      'the bundled ingest healthy and subscribed',
      async () => {
        if (ingest.exitCode !== null) throw new Error(`ingest exited: ${stderr}`);
        const body = (await (await fetch(`http://127.0.0.1:${httpPort}/api/health`)).json()) as {
          mqtt?: string;
        };
        if (body.mqtt !== 'subscribed') throw new Error(`not yet: ${JSON.stringify(body)}`);
        return body;
      },
      60_000,
    );
    expect(health.mqtt).toBe('subscribed');
  });
});
