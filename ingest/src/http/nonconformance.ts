import { api } from '@takt/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { withTransaction } from '../db/transaction';
import { IngestError } from '../errors';
import { listNcs, ncSummary, oneNc, orderNcs } from '../nonconformance/queries';
import {
  dispositionNc,
  openNc,
  reworkNc,
  type NcActor,
  type NcResult,
} from '../nonconformance/store';
import { plantTimeZone, readerOf, rendered } from '../queries/message-text';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

/**
 * Nonconformance records (docs/decisions.md, "Issue 23 — nonconformance and rework"): open,
 * disposition and rework each in one transaction (nonconformance/store.ts), nothing stored
 * half; a refusal answers its status with the reason in the reader's language.
 */
export const nonconformancePlugin: IngestPlugin = (app, { pool, plant }) => {
  const actorOf = (request: FastifyRequest): NcActor => {
    const p = request.principal;
    if (p?.kind !== 'user')
      throw new IngestError('INGEST_ERR_BAD_REQUEST', 'sign in as a person to record an NC', 400);
    return { by: p.name, role: p.role };
  };

  /** The NC after a change, or the refusal with its message. */
  const answer = async (
    request: FastifyRequest,
    reply: FastifyReply,
    result: NcResult,
    status: 200 | 201,
  ) => {
    if ('id' in result) return reply.code(status).send(await oneNc(pool, result.id));
    const reader = readerOf(request, await plantTimeZone(pool, plant));
    const error = { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict' }[result.status];
    return reply.code(result.status).send({
      error,
      code: result.status === 404 ? 'INGEST_ERR_NOT_FOUND' : 'INGEST_ERR_NC',
      ...rendered(result.message, reader),
    });
  };

  app.post('/api/nonconformances', routeOf(api.nonconformances.open), async (request, reply) => {
    const actor = actorOf(request);
    const result = await withTransaction(pool, (c) => openNc(c, request.body, actor, Date.now()));
    return answer(request, reply, result, 201);
  });

  app.post(
    '/api/nonconformances/:id/disposition',
    routeOf(api.nonconformances.disposition),
    async (request, reply) => {
      const actor = actorOf(request);
      const result = await withTransaction(pool, (c) =>
        dispositionNc(c, request.params.id, request.body, actor, Date.now()),
      );
      return answer(request, reply, result, 200);
    },
  );

  app.post(
    '/api/nonconformances/:id/rework',
    routeOf(api.nonconformances.rework),
    async (request, reply) => {
      const actor = actorOf(request);
      const result = await withTransaction(pool, (c) =>
        reworkNc(c, request.params.id, request.body, actor, Date.now()),
      );
      return answer(request, reply, result, 200);
    },
  );

  app.get('/api/nonconformances', routeOf(api.nonconformances.list), async (request) =>
    listNcs(pool, request.query),
  );

  app.get('/api/nonconformances/summary', routeOf(api.nonconformances.summary), async (request) =>
    ncSummary(pool, request.query.from, request.query.to),
  );

  app.get('/api/nonconformances/:id', routeOf(api.nonconformances.one), async (request) => {
    const nc = await oneNc(pool, request.params.id);
    if (!nc)
      throw new IngestError('INGEST_ERR_NOT_FOUND', `NC ${request.params.id} not found`, 404);
    return nc;
  });

  app.get(
    '/api/work-orders/:id/nonconformances',
    routeOf(api.nonconformances.order),
    async (request) => {
      const out = await orderNcs(pool, request.params.id);
      if (!out)
        throw new IngestError(
          'INGEST_ERR_NOT_FOUND',
          `work order ${request.params.id} not found`,
          404,
        );
      return out;
    },
  );
};
