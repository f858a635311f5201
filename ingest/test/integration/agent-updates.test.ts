import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { startBroker, type RunningBroker } from '@takt/broker';
import {
  commandTopics,
  packageSignedText,
  topics,
  updateCommandSchema,
  type GatewayUpdate,
  type UpdateCommand,
  type UpdateStep,
} from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';
import { waitFor } from '../helpers/wait';

/*
 * Signed agent updates, the server side, end to end (docs/decisions.md "Issue 25 — signed
 * agent updates (server)"): real PostgreSQL, the real broker, ingest, and a real MQTT client
 * playing the gateway: it reads the retained command, downloads with the token over HTTP and
 * publishes its steps.
 */
const SITE = 's';
const GW = 'gw-up';
const release = generateKeyPairSync('ed25519');
let broker: RunningBroker;
let ingest: RunningIngest;
let gateway: MqttClient;
let admin: { authorization: string };
let url: string;
let databaseUrl: string;

/** Bytes that stand for an archive: over one download slice (1 MB), so slicing is exercised. */
const archive = randomBytes(2 * 1024 * 1024 + 123);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const signature = (
  version: string,
  arch: string,
  bytes: Buffer,
  key: KeyObject = release.privateKey,
) => sign(null, Buffer.from(packageSignedText(version, arch, sha(bytes))), key).toString('base64');

beforeAll(async () => {
  const keyFile = join(mkdtempSync(join(tmpdir(), 'takt-pkg-key-')), 'package-signing.pub');
  writeFileSync(keyFile, release.publicKey.export({ type: 'spki', format: 'pem' }));
  process.env.TAKT_PACKAGE_SIGNING_PUB_FILE = keyFile;
  const log = pino({ level: 'silent' });
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  url = `mqtt://127.0.0.1:${broker.port}`;
  ingest = await startIngest({
    databaseUrl: (databaseUrl = await createTestDatabase('takt_agent_updates')),
    mqtt: { url, clientId: 'ingest-agent-updates' },
    http: { host: '127.0.0.1', port: 0 },
    log,
  });
  await ingest.subscribed;
  admin = await signedIn(ingest.pool, 'admin');
  gateway = await mqtt.connectAsync(url, { clientId: `fake-${GW}` });
  await gateway.publishAsync(
    topics.status(SITE, GW),
    JSON.stringify({ v: 1, ts: Date.now(), status: 'online', version: '0.1.0', arch: 'x64' }),
    { qos: 1, retain: true },
  );
  await waitFor('the gateway row with its arch', async () => {
    const r = await fetch(`${ingest.url}/api/gateways/${GW}`, { headers: admin });
    return r.status === 200 && ((await r.json()) as { arch: string | null }).arch === 'x64';
  });
});
afterAll(async () => {
  await gateway?.endAsync();
  await ingest?.stop();
  await broker?.stop();
});

async function upload(
  bytes: Buffer,
  query: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${ingest.url}/api/agent-packages?${query}`, {
    method: 'POST',
    headers: { ...admin, 'content-type': 'application/gzip', ...headers },
    body: bytes,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function push(sha256: string, body: object = {}) {
  const response = await fetch(`${ingest.url}/api/gateways/${GW}/update`, {
    method: 'POST',
    headers: { ...admin, 'content-type': 'application/json' },
    body: JSON.stringify({ sha256, ...body }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function updates(): Promise<GatewayUpdate[]> {
  const response = await fetch(`${ingest.url}/api/gateways/${GW}/updates`, { headers: admin });
  expect(response.status).toBe(200);
  return (await response.json()) as GatewayUpdate[];
}

/** The retained command as a gateway connecting now gets it (undefined: none is retained). */
async function retainedCommand(): Promise<UpdateCommand | undefined> {
  const client = await mqtt.connectAsync(url, {
    clientId: `probe-${randomBytes(4).toString('hex')}`,
  });
  try {
    let command: UpdateCommand | undefined;
    let marker = false;
    const markerTopic = `takt/v1/${SITE}/probe-marker/cmd/update`;
    client.on('message', (topic, payload) => {
      if (topic === markerTopic) marker = true;
      else if (payload.length > 0)
        command = updateCommandSchema.parse(JSON.parse(payload.toString('utf8')));
    });
    await client.subscribeAsync(commandTopics.command(SITE, GW, 'update'), { qos: 1 });
    // Retained messages come in subscription order: once the marker is in, any command is too.
    await client.publishAsync(markerTopic, 'm', { qos: 1, retain: true });
    await client.subscribeAsync(markerTopic, { qos: 1 });
    await waitFor('the marker', () => marker);
    return command;
  } finally {
    await client.endAsync();
  }
}

function step(id: number, name: UpdateStep, extra: object = {}, gw = GW) {
  return gateway.publishAsync(
    commandTopics.commandResult(SITE, gw, 'update'),
    JSON.stringify({
      v: 1,
      ts: Date.now(),
      id,
      version: '0.1.1',
      step: name,
      ok: !['rolled-back', 'refused'].includes(name),
      agentVersion: '0.1.0',
      ...extra,
    }),
    { qos: 1 },
  );
}

const stepsOf = async (id: number) => (await updates()).find((u) => u.id === id)?.steps ?? [];

describe('POST /api/agent-packages', () => {
  it('refuses a bad version, a bad arch, no signature, an empty body and a wrong signature, with messages', async () => {
    const good = signature('0.1.1', 'x64', archive);
    const cases: [Buffer, string, Record<string, string>, string][] = [
      [archive, 'version=latest&arch=x64', { 'x-takt-signature': good }, 'agentUpdate.badVersion'],
      [archive, 'version=0.1.1&arch=armhf', { 'x-takt-signature': good }, 'agentUpdate.badArch'],
      [archive, 'version=0.1.1&arch=x64', {}, 'agentUpdate.noSignature'],
      [
        Buffer.alloc(0),
        'version=0.1.1&arch=x64',
        { 'x-takt-signature': good },
        'agentUpdate.emptyBody',
      ],
      // Signed for arm64, uploaded as x64: the signature binds the architecture.
      [
        archive,
        'version=0.1.1&arch=x64',
        { 'x-takt-signature': signature('0.1.1', 'arm64', archive) },
        'agentUpdate.badSignature',
      ],
      // Another key altogether.
      [
        archive,
        'version=0.1.1&arch=x64',
        {
          'x-takt-signature': signature(
            '0.1.1',
            'x64',
            archive,
            generateKeyPairSync('ed25519').privateKey,
          ),
        },
        'agentUpdate.badSignature',
      ],
    ];
    for (const [bytes, query, headers, key] of cases) {
      const { status, body } = await upload(bytes, query, headers);
      expect([status, body.messageKey], `${query} ${key}`).toEqual([400, key]);
      expect(typeof body.message).toBe('string');
    }
    const zh = await upload(archive, 'version=0.1.1&arch=armhf', {
      'x-takt-signature': good,
      'accept-language': 'zh-CN',
    });
    expect(zh.body.message).toBe('架构 "armhf" 不是 arm64、armv7、x64 之一（查询参数 ?arch=）');
    const anonymous = await fetch(`${ingest.url}/api/agent-packages?version=0.1.1&arch=x64`, {
      method: 'POST',
      headers: { 'content-type': 'application/gzip', 'x-takt-signature': good },
      body: archive,
    });
    expect(anonymous.status).toBe(401);
    const listed = await fetch(`${ingest.url}/api/agent-packages`, { headers: admin });
    expect(await listed.json()).toEqual([]);
  });

  it('refuses a body announced over 200 MB before reading it', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        `${ingest.url}/api/agent-packages?version=0.1.1&arch=x64`,
        {
          method: 'POST',
          headers: {
            ...admin,
            'content-type': 'application/gzip',
            'content-length': String(200 * 1024 * 1024 + 1),
            'x-takt-signature': signature('0.1.1', 'x64', archive),
          },
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => {
            req.destroy();
            resolve({ status: res.statusCode!, body });
          });
        },
      );
      req.on('error', reject);
      req.write(archive.subarray(0, 1024)); // a start; the rest never comes
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ messageKey: 'agentUpdate.tooLarge' });
  });

  it('answers 413 to a body of no announced length once it passes 200 MB', async () => {
    const mb = Buffer.alloc(1024 * 1024);
    const chunks = async function* () {
      for (let i = 0; i <= 200; i++) yield mb; // 201 MB, chunked
    };
    const response = await fetch(`${ingest.url}/api/agent-packages?version=0.1.1&arch=x64`, {
      method: 'POST',
      headers: {
        ...admin,
        'content-type': 'application/gzip',
        'x-takt-signature': signature('0.1.1', 'x64', archive),
      },
      body: Readable.from(chunks()) as unknown as RequestInit['body'],
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { messageKey: string }).messageKey).toBe(
      'agentUpdate.tooLarge',
    );
  });

  it('stores a good package and lists it', async () => {
    const { status, body } = await upload(archive, 'version=0.1.1&arch=x64', {
      'x-takt-signature': signature('0.1.1', 'x64', archive),
    });
    expect(status).toBe(201);
    expect(body).toEqual({
      sha256: sha(archive),
      version: '0.1.1',
      arch: 'x64',
      size: archive.length,
    });
    const listed = (await (
      await fetch(`${ingest.url}/api/agent-packages`, { headers: admin })
    ).json()) as { sha256: string; uploadedBy: string | null }[];
    expect(listed.map((p) => p.sha256)).toEqual([sha(archive)]);
    expect(listed[0]!.uploadedBy).toMatch(/^admin-/);
  });
});

describe('pushing an update to a gateway', () => {
  const other = randomBytes(1000);
  const arm = randomBytes(1000);

  it('refuses an unknown gateway or package and a package of another arch', async () => {
    await upload(arm, 'version=0.1.1&arch=arm64', {
      'x-takt-signature': signature('0.1.1', 'arm64', arm),
    });
    const wrongArch = await push(sha(arm));
    expect([wrongArch.status, wrongArch.body.messageKey]).toEqual([409, 'agentUpdate.otherArch']);
    const noPackage = await push('f'.repeat(64));
    expect([noPackage.status, noPackage.body.messageKey]).toEqual([404, 'agentUpdate.noPackage']);
    const noGateway = await fetch(`${ingest.url}/api/gateways/gw-none/update`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ sha256: sha(archive) }),
    });
    expect(noGateway.status).toBe(404);
    expect(await updates()).toEqual([]);
  });

  it('runs an update: retained command, token download, steps in order, cleared at the end', async () => {
    await upload(other, 'version=0.1.2&arch=x64', {
      'x-takt-signature': signature('0.1.2', 'x64', other),
    });
    const pushed = await push(sha(archive), { confirmWithinS: 60 });
    expect(pushed.status).toBe(202);
    const id = pushed.body.id as number;
    expect(pushed.body).toMatchObject({
      status: 'sent',
      sha256: sha(archive),
      confirmWithinS: 60,
      steps: [],
    });

    // The gateway connecting now gets the command from the broker.
    const command = (await retainedCommand())!;
    expect(command).toMatchObject({
      id,
      version: '0.1.1',
      arch: 'x64',
      sha256: sha(archive),
      size: archive.length,
      signature: signature('0.1.1', 'x64', archive),
      confirmWithinS: 60,
    });
    expect(
      command.url.startsWith(`${ingest.url}/api/agent-packages/${sha(archive)}/download?token=`),
    ).toBe(true);

    // Token only: the bytes with it, 403 without, with a wrong one, for another package, or a session alone.
    const download = await fetch(command.url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/gzip');
    expect(Buffer.from(await download.arrayBuffer()).equals(archive)).toBe(true);
    const token = new URL(command.url).searchParams.get('token')!;
    const base = `${ingest.url}/api/agent-packages`;
    expect((await fetch(`${base}/${sha(archive)}/download`)).status).toBe(403);
    expect((await fetch(`${base}/${sha(archive)}/download?token=${token}x`)).status).toBe(403);
    expect((await fetch(`${base}/${sha(other)}/download?token=${token}`)).status).toBe(403);
    expect((await fetch(`${base}/${sha(archive)}/download`, { headers: admin })).status).toBe(403);

    await step(id, 'received');
    await waitFor('running', async () => (await updates())[0]?.status === 'running');
    const busy = await push(sha(archive));
    expect([busy.status, busy.body.messageKey]).toEqual([409, 'agentUpdate.running']);

    // Another gateway naming this update's id writes nothing: the gateway is the topic's.
    await step(id, 'refused', { error: 'forged' }, 'gw-intruder');
    for (const name of ['downloaded', 'verified', 'staged', 'installing'] as const)
      await step(id, name);
    await step(id, 'staged'); // a QoS 1 redelivery: stored once
    await waitFor('four more steps', async () => (await stepsOf(id)).length === 5);
    expect((await updates())[0]!.status).toBe('running');
    expect(await retainedCommand()).toBeDefined();

    await step(id, 'online', { agentVersion: '0.1.1' });
    const done = await waitFor('online', async () => {
      const u = (await updates())[0]!;
      return u.status === 'online' && u;
    });
    expect(done.steps.map((s) => [s.step, s.ok, s.error])).toEqual([
      ['received', true, null],
      ['downloaded', true, null],
      ['verified', true, null],
      ['staged', true, null],
      ['installing', true, null],
      ['online', true, null],
    ]);
    expect(done.steps.at(-1)!.agentVersion).toBe('0.1.1');
    expect(done.finishedAt).not.toBeNull();
    await waitFor(
      'the retained command cleared',
      async () => (await retainedCommand()) === undefined,
    );
    // The token ends with its update.
    expect((await fetch(command.url)).status).toBe(403);
  });

  it('stores a refusal with the gateway’s text, and a new push supersedes one never answered', async () => {
    const first = await push(sha(archive));
    expect(first.status).toBe(202);
    const second = await push(sha(archive));
    expect(second.status).toBe(202);
    const newestUrl = (await retainedCommand())!.url;
    const all = await updates();
    expect(all.find((u) => u.id === first.body.id)!.status).toBe('superseded');
    expect((await retainedCommand())!.id).toBe(second.body.id);
    expect((await fetch(newestUrl)).status).toBe(200); // the newest command's token

    const id = second.body.id as number;
    await step(id, 'received');
    await step(id, 'refused', { error: 'already on version 0.1.1' });
    const refused = await waitFor('refused', async () => {
      const u = (await updates()).find((x) => x.id === id)!;
      return u.status === 'refused' && u;
    });
    expect(refused.steps.map((s) => [s.step, s.ok, s.error])).toEqual([
      ['received', true, null],
      ['refused', false, 'already on version 0.1.1'],
    ]);
    await waitFor(
      'the retained command cleared',
      async () => (await retainedCommand()) === undefined,
    );
  });

  it('sends a command never answered again when ingest starts, with a new token', async () => {
    const pushed = await push(sha(archive));
    expect(pushed.status).toBe(202);
    const before = (await retainedCommand())!;
    // A broker restarted without persistence: the retained command is gone.
    await gateway.publishAsync(commandTopics.command(SITE, GW, 'update'), '', {
      qos: 1,
      retain: true,
    });
    await waitFor('the command gone', async () => (await retainedCommand()) === undefined);
    const again = await startIngest({
      databaseUrl,
      mqtt: { url, clientId: 'ingest-agent-updates-2' },
      http: { host: '127.0.0.1', port: 0 },
      auth: { publicUrl: 'http://takt.example:8080' },
      log: pino({ level: 'silent' }),
    });
    try {
      const after = await waitFor('the command sent again', () => retainedCommand());
      expect(after.id).toBe(pushed.body.id);
      expect(
        after.url.startsWith(
          `http://takt.example:8080/api/agent-packages/${sha(archive)}/download?token=`,
        ),
      ).toBe(true);
      const token = new URL(after.url).searchParams.get('token')!;
      expect(token).not.toBe(new URL(before.url).searchParams.get('token'));
      expect((await fetch(before.url)).status).toBe(403);
      const local = `${ingest.url}/api/agent-packages/${sha(archive)}/download?token=${token}`;
      expect((await fetch(local)).status).toBe(200);
    } finally {
      await again.stop();
    }
  });
});
