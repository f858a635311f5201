import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AGENT_VERSION_PATTERN,
  CONFIRM_WITHIN_S,
  MAX_AGENT_PACKAGE_BYTES,
  SERVER_MESSAGES,
  agentArchSchema,
  agentPackageDownloadPath,
  api,
  packageSignatureSchema,
  renderMessage,
  verifyPackageSignature,
  type Message,
  type UpdateCommand,
} from '@takt/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestLang } from '../alerts/text';
import {
  createUpdate,
  gatewayFacts,
  insertPackage,
  listPackages,
  readPackage,
  readPackageSlice,
  readUpdates,
  reissueOpenUpdates,
  tokenAllows,
  type OpenUpdate,
} from '../fleet/agent-update-store';
import { startUpdateCommandLink } from '../fleet/update-commands';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

/** Bytes read from the database per query when a package is downloaded. */
const SLICE_BYTES = 1024 * 1024;

const REFUSALS = {
  400: ['Bad Request', 'INGEST_ERR_BAD_REQUEST'],
  403: ['Forbidden', 'INGEST_ERR_FORBIDDEN'],
  404: ['Not Found', 'INGEST_ERR_NOT_FOUND'],
  409: ['Conflict', 'INGEST_ERR_CONFLICT'],
  413: ['Payload Too Large', 'INGEST_ERR_BAD_REQUEST'],
} as const;

export const tokenHash = (token: string): Buffer =>
  createHash('sha256').update(token, 'utf8').digest();

/**
 * Signed agent updates, the server side (docs/decisions.md "Issue 25 — signed agent updates
 * (server)"): packages are uploaded with the release key's signature (checked here against
 * TAKT_PACKAGE_SIGNING_PUB_FILE when it is set; the gateway always checks), pushed to a
 * gateway as a retained command, and downloaded by the gateway with the command's token.
 */
export const agentUpdatesPlugin: IngestPlugin = (app, { pool, log, mqtt, plant, settings }) => {
  const refuse = (
    request: FastifyRequest,
    reply: FastifyReply,
    code: keyof typeof REFUSALS,
    why: Message,
  ) =>
    reply.code(code).send({
      error: REFUSALS[code][0],
      code: REFUSALS[code][1],
      message: renderMessage(SERVER_MESSAGES, why, requestLang(request), {
        timeZone: plant?.site.timeZone ?? 'UTC',
      }),
      messageKey: why.key,
      messageParams: why.params ?? {},
    });
  const pubFile = process.env.TAKT_PACKAGE_SIGNING_PUB_FILE;
  const publicKey = pubFile ? readFileSync(pubFile, 'utf8') : undefined;
  if (pubFile) log.info({ file: pubFile }, 'package signing public key loaded');
  const link = startUpdateCommandLink({
    ...mqtt,
    clientId: `${mqtt.clientId ?? 'takt-ingest'}-update`,
    pool,
    log: log.child({ part: 'update-commands' }),
  });
  app.addHook('onClose', () => link.stop(1000));

  // A broker restarted without persistence forgot the retained commands: send the open ones
  // again, each with a new token. Without TAKT_PUBLIC_URL no URL can be made here: they wait
  // for the gateway's results or a new push.
  app.addHook('onReady', async () => {
    if (!settings.publicUrl) return;
    const base = settings.publicUrl;
    const open = await reissueOpenUpdates(pool, () => {
      const token = newToken();
      return { token, hash: tokenHash(token) };
    });
    for (const u of open)
      link
        .publish(u.site, u.gatewayId, commandOf(u, u.token, base))
        .catch((error: Error) =>
          log.warn(
            { gateway: u.gatewayId, update: u.id, err: error.message },
            'update command not published',
          ),
        );
  });

  // The body stays a stream: up to 200 MB goes to a temporary file, hashed on the way.
  app.addContentTypeParser(
    ['application/gzip', 'application/x-gzip', 'application/octet-stream'],
    (_request, payload, done) => done(null, payload),
  );

  app.post('/api/agent-packages', routeOf(api.agentUpdate.upload), async (request, reply) => {
    const r = reply as FastifyReply;
    const { version = '', arch = '' } = request.query;
    if (!AGENT_VERSION_PATTERN.test(version))
      return refuse(request, r, 400, { key: 'agentUpdate.badVersion', params: { version } });
    const archParsed = agentArchSchema.safeParse(arch);
    if (!archParsed.success)
      return refuse(request, r, 400, { key: 'agentUpdate.badArch', params: { arch } });
    const signature = packageSignatureSchema.safeParse(request.headers['x-takt-signature']);
    if (!signature.success) return refuse(request, r, 400, { key: 'agentUpdate.noSignature' });
    const tooLarge: Message = {
      key: 'agentUpdate.tooLarge',
      params: { limit: String(MAX_AGENT_PACKAGE_BYTES / 1024 / 1024) },
    };
    if (Number(request.headers['content-length'] ?? 0) > MAX_AGENT_PACKAGE_BYTES)
      return refuse(request, r, 413, tooLarge);
    const dir = mkdtempSync(join(tmpdir(), 'takt-package-'));
    try {
      const file = join(dir, 'upload.tar.gz');
      const received = await receive(request.body as Readable, file);
      if (received === 'too large') return refuse(request, r, 413, tooLarge);
      if (received.size === 0) return refuse(request, r, 400, { key: 'agentUpdate.emptyBody' });
      const pkg = {
        version,
        arch: archParsed.data,
        sha256: received.sha256,
        signature: signature.data,
      };
      if (publicKey && !verifyPackageSignature(publicKey, pkg))
        return refuse(request, r, 400, { key: 'agentUpdate.badSignature' });
      const uploadedBy = request.principal?.kind === 'user' ? request.principal.name : null;
      const row = await insertPackage(pool, {
        ...pkg,
        size: received.size,
        data: await readFile(file),
        uploadedBy,
      });
      log.info(
        { sha256: row.sha256, version, arch, size: row.size, by: uploadedBy },
        'agent package uploaded',
      );
      return r.code(201).send({ sha256: row.sha256, version, arch: pkg.arch, size: row.size });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  app.get('/api/agent-packages', routeOf(api.agentUpdate.list), async () =>
    (await listPackages(pool)).map((p) => ({
      sha256: p.sha256,
      version: p.version,
      arch: p.arch,
      size: p.size,
      signature: p.signature,
      uploadedBy: p.uploadedBy,
      uploadedAt: p.uploadedAt.toISOString(),
    })),
  );

  app.get(
    '/api/agent-packages/:sha256/download',
    routeOf(api.agentUpdate.download),
    async (request, reply) => {
      const { sha256 } = request.params;
      const { token } = request.query;
      // Only the token counts: a signed-in session opens nothing here.
      const pkg =
        token && (await tokenAllows(pool, sha256, tokenHash(token)))
          ? await readPackage(pool, sha256)
          : undefined;
      if (!pkg) return refuse(request, reply as FastifyReply, 403, { key: 'agentUpdate.badToken' });
      log.info({ sha256, size: pkg.size }, 'agent package download');
      return (reply as FastifyReply)
        .headers({
          'content-type': 'application/gzip',
          'content-length': String(pkg.size),
          'content-disposition': `attachment; filename="takt-edge-${pkg.version}-${pkg.arch}.tar.gz"`,
        })
        .send(Readable.from(slices(sha256, pkg.size)));
    },
  );

  async function* slices(sha256: string, size: number): AsyncGenerator<Buffer> {
    for (let offset = 0; offset < size; offset += SLICE_BYTES)
      yield await readPackageSlice(pool, sha256, offset, SLICE_BYTES);
  }

  app.post('/api/gateways/:id/update', routeOf(api.agentUpdate.push), async (request, reply) => {
    const r = reply as FastifyReply;
    const { id } = request.params;
    const { sha256, confirmWithinS = CONFIRM_WITHIN_S.default } = request.body;
    const gateway = await gatewayFacts(pool, id);
    if (!gateway)
      return refuse(request, r, 404, { key: 'agentUpdate.noGateway', params: { gateway: id } });
    const pkg = await readPackage(pool, sha256);
    if (!pkg) return refuse(request, r, 404, { key: 'agentUpdate.noPackage', params: { sha256 } });
    if (gateway.arch && gateway.arch !== pkg.arch)
      return refuse(request, r, 409, {
        key: 'agentUpdate.otherArch',
        params: { arch: pkg.arch, gateway: id, gatewayArch: gateway.arch },
      });
    const token = newToken();
    const requestedBy = request.principal?.kind === 'user' ? request.principal.name : null;
    const created = await createUpdate(pool, {
      gatewayId: id,
      site: gateway.site,
      sha256,
      version: pkg.version,
      tokenHash: tokenHash(token),
      confirmWithinS,
      requestedBy,
    });
    if (!created.ok)
      return refuse(request, r, 409, {
        key: 'agentUpdate.running',
        params: { id: String(created.running), gateway: id },
      });
    const command = commandOf(
      { ...pkg, id: created.update.id, confirmWithinS },
      token,
      settings.publicUrl ?? `${request.protocol}://${request.host}`,
    );
    log.info(
      {
        gateway: id,
        update: created.update.id,
        sha256,
        version: pkg.version,
        by: requestedBy,
        superseded: created.superseded,
      },
      'agent update pushed',
    );
    // Not awaited: with the broker away MQTT.js keeps it, and the update stays `sent`.
    link
      .publish(gateway.site, id, command)
      .catch((error: Error) =>
        log.warn(
          { gateway: id, update: created.update.id, err: error.message },
          'update command not published',
        ),
      );
    return r.code(202).send(created.update);
  });

  app.get('/api/gateways/:id/updates', routeOf(api.agentUpdate.history), async (request) =>
    readUpdates(pool, request.params.id),
  );
};

const newToken = () => randomBytes(32).toString('base64url');

/** The retained command of an update; its url is absolute under `base` with the token. */
function commandOf(
  u: Pick<
    OpenUpdate,
    'id' | 'version' | 'arch' | 'sha256' | 'size' | 'signature' | 'confirmWithinS'
  >,
  token: string,
  base: string,
): UpdateCommand {
  const url = new URL(agentPackageDownloadPath(u.sha256), base);
  url.searchParams.set('token', token);
  return {
    v: 1,
    ts: Date.now(),
    id: u.id,
    version: u.version,
    arch: u.arch,
    sha256: u.sha256,
    size: u.size,
    signature: u.signature,
    url: url.toString(),
    confirmWithinS: u.confirmWithinS,
  };
}

/**
 * Streams the body into `file`, hashing and counting. Past the size limit the rest is read and
 * dropped (not written): ending the stream early would close the socket before the 413 could
 * be sent to a client that announced no length.
 */
async function receive(
  body: Readable,
  file: string,
): Promise<{ sha256: string; size: number } | 'too large'> {
  const hash = createHash('sha256');
  let size = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > MAX_AGENT_PACKAGE_BYTES) return done(); // dropped
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(body, count, createWriteStream(file));
  return size > MAX_AGENT_PACKAGE_BYTES ? 'too large' : { sha256: hash.digest('hex'), size };
}
