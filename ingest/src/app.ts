import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import fastifyStatic from '@fastify/static';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import { Server as SocketServer } from 'socket.io';
import { declarationProblem, type Access } from './auth/access';
import type { TrustProxy } from './auth/address-list';
import { REDACT_PATHS, redactUrl, securityHeaders } from './auth/headers';
import { INGEST_ERRORS, IngestError } from './errors';
import { jsonSerializerCompiler, zodValidatorCompiler } from './route-contract';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route (issue 9): required on every `/api/*` route. */
    access?: readonly Access[];
    /** `METHOD /path` of the protocol contract the route was declared by (route-contract.ts). */
    contract?: string;
  }
}

export interface HttpOptions {
  /**
   * Behind a reverse proxy: take the client address from X-Forwarded-For, through that many
   * hops or those proxies' addresses only (auth/address-list.ts `parseTrustProxy`).
   */
  trustProxy?: TrustProxy | undefined;
  /** Served over TLS (directly or by a proxy): HSTS and Secure cookies. */
  secure?: boolean | undefined;
  /** Level of the HTTP server's own log lines (default warn). */
  logLevel?: string | undefined;
}

export interface HttpApp {
  app: FastifyInstance;
  io: SocketServer;
  /** Every route registered (docs/openapi.yaml is checked against it). */
  routes: { method: string; url: string; access: readonly Access[] | undefined }[];
}

/**
 * Never `true` (every hop): a client could name its own address in X-Forwarded-For. A hop
 * count trusts the nearest `hops` peers, whatever their address (fastify 5 treats a number as
 * "trust none", so it is written here as proxy-addr's trust function).
 */
function fastifyTrustProxy(
  trust: TrustProxy,
): boolean | string[] | ((a: string, i: number) => boolean) {
  if (trust === false) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return [...trust];
}

/**
 * An error as the API answers it. Ours (IngestError) and fastify's own 4xx (a body too
 * large, bad JSON) say what is wrong; anything else — a database error, a bug — is a 500
 * that names no internals, only an id under which the log holds the details
 * (docs/decisions.md "Issue 18 — imports off the event loop, one CSV writer, errors without
 * internals").
 */
function answerError(
  error: Error & { statusCode?: number; code?: unknown },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const told =
    error instanceof IngestError
      ? error.statusCode
      : error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
        ? error.statusCode
        : 500;
  const status = STATUS_CODES[told] ? told : 500;
  if (status < 500) {
    const code = typeof error.code === 'string' ? error.code : 'INGEST_ERR_BAD_REQUEST';
    void reply.code(status).send({ error: STATUS_CODES[status], code, message: error.message });
    return;
  }
  const id = randomUUID();
  request.log.error(
    {
      errorId: id,
      url: redactUrl(request.url),
      err: { type: error.name, message: error.message, code: error.code, stack: error.stack },
    },
    'request failed',
  );
  void reply.code(status).send({
    error: STATUS_CODES[status],
    code: error instanceof IngestError ? error.code : 'INGEST_ERR_INTERNAL',
    message: INGEST_ERRORS.INGEST_ERR_INTERNAL(id),
    id,
  });
}

/** Fastify with JSON errors for the API, the dashboard's static files, and socket.io on the same port. */
export function createHttpApp(
  log: Logger,
  dashboardDir: string | undefined,
  options: HttpOptions = {},
): HttpApp {
  const httpLog = log.child(
    { part: 'http' },
    {
      level: options.logLevel ?? 'warn',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        // fastify's own request line, without tokens in paths or any header.
        req: (req: { method: string; url: string; ip?: string }) => ({
          method: req.method,
          url: redactUrl(req.url),
          remoteAddress: req.ip,
        }),
      },
    },
  );
  const app = Fastify({
    loggerInstance: httpLog as FastifyBaseLogger,
    trustProxy: fastifyTrustProxy(options.trustProxy ?? false),
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(jsonSerializerCompiler);
  const routes: HttpApp['routes'] = [];
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      if (route.url.startsWith('/api/')) {
        // A route nobody declared would be open to all: refuse to start instead.
        const contract = route.config?.contract;
        const problem =
          contract !== undefined && contract !== `${method} ${route.url}`
            ? `${method} ${route.url} is declared by the contract of ${contract}`
            : declarationProblem(method, route.url, access);
        if (problem)
          throw new IngestError(
            'INGEST_ERR_ACCESS_UNDECLARED',
            INGEST_ERRORS.INGEST_ERR_ACCESS_UNDECLARED(problem),
          );
      }
      routes.push({ method, url: route.url, access });
    }
  });
  app.addHook('onRequest', securityHeaders(options.secure ?? false));
  app.setErrorHandler(answerError);
  const hasDashboard = dashboardDir !== undefined && existsSync(`${dashboardDir}/index.html`);
  if (hasDashboard) void app.register(fastifyStatic, { root: dashboardDir, wildcard: false });
  app.setNotFoundHandler((request, reply) => {
    if (!request.url.startsWith('/api/') && hasDashboard && request.method === 'GET') {
      return reply.sendFile('index.html'); // client-side routes of the SPA
    }
    return reply.code(404).send({
      error: 'Not Found',
      code: 'INGEST_ERR_NOT_FOUND',
      message: `no route ${request.method} ${request.url}`,
    });
  });
  const io = new SocketServer(app.server, {
    serveClient: false,
    transports: ['websocket', 'polling'],
  });
  return { app, io, routes };
}
