import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Server as SocketServer } from 'socket.io';
import { IngestError } from './errors';

export interface HttpApp {
  app: FastifyInstance;
  io: SocketServer;
  /** Every route registered (docs/openapi.yaml is checked against it). */
  routes: { method: string; url: string }[];
}

/** Fastify with JSON errors for the API, the dashboard's static files, and socket.io on the same port. */
export function createHttpApp(log: Logger, dashboardDir: string | undefined): HttpApp {
  const app = Fastify({
    loggerInstance: log.child({ part: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
  });
  const routes: HttpApp['routes'] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error instanceof IngestError ? error.statusCode : (error.statusCode ?? 500);
    if (status >= 500)
      request.log.error({ err: error.message, url: request.url }, 'request failed');
    void reply.code(status).send({
      error: status >= 500 ? 'Internal Server Error' : 'Bad Request',
      code: error.code ?? 'INGEST_ERR_INTERNAL',
      message: status >= 500 ? 'internal error; see the ingest log' : error.message,
    });
  });
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
