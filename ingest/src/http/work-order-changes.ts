import {
  ORDER_LIVE_EVENTS,
  SERVER_MESSAGES,
  api,
  pickLang,
  renderMessage,
  type Message,
  type OrderChangedEvent,
} from '@takt/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IngestError } from '../errors';
import { withTransaction } from '../db/transaction';
import { routeOf } from '../route-contract';
import { changeOrder, setOrderState, splitOrder, type Actor } from '../work-orders/changes';
import type { IngestPlugin } from './types';
import { orderNotFound } from './work-orders';

/**
 * `PATCH /api/work-orders/:id` and hold / resume / cancel / split (docs/decisions.md, "Issue 20
 * — order changes and their trail"): each in one transaction with the order's row locked
 * (work-orders/changes.ts), logged as a `changed` event, pushed to the plant's screens.
 */
export const workOrderChangesPlugin: IngestPlugin = (app, { pool, io, plant }) => {
  const timeZone = async () =>
    plant?.site.timeZone ??
    (await pool.query<{ time_zone: string }>('SELECT time_zone FROM sites ORDER BY id LIMIT 1'))
      .rows[0]?.time_zone ??
    'UTC';

  /** A refusal: 404 for an unknown order, else 409 with the reason in the reader's language. */
  const refuse = async (request: FastifyRequest, reply: FastifyReply, id: string, why: Message) => {
    if (why.key === 'orders.notFound') throw orderNotFound(id);
    const { lang } = (request.query ?? {}) as { lang?: string };
    const language = pickLang(lang, request.headers['accept-language']);
    return reply.code(409).send({
      error: 'Conflict',
      code: 'INGEST_ERR_ORDER_CHANGE',
      message: renderMessage(SERVER_MESSAGES, why, language, { timeZone: await timeZone() }),
      messageKey: why.key,
      messageParams: why.params ?? {},
    });
  };

  const actorOf = (request: FastifyRequest): Actor => {
    const p = request.principal;
    if (p?.kind !== 'user')
      throw new IngestError('INGEST_ERR_BAD_REQUEST', 'sign in as a manager or admin', 400);
    return { by: p.name, source: 'api' };
  };

  const pushed = (event: OrderChangedEvent) => {
    io.to('plant').emit(ORDER_LIVE_EVENTS.changed, event);
  };

  app.patch('/api/work-orders/:id', routeOf(api.orders.patch), async (request, reply) => {
    const { id } = request.params;
    const actor = actorOf(request);
    const result = await withTransaction(pool, (c) => changeOrder(c, id, request.body, actor));
    if ('refusal' in result) return refuse(request, reply, id, result.refusal);
    if (result.changes.length > 0) pushed({ id, change: 'edit' });
    return { id, changes: result.changes };
  });

  for (const change of ['hold', 'resume', 'cancel'] as const) {
    app.post(
      `/api/work-orders/:id/${change}`,
      routeOf(api.orders[change]),
      async (request, reply) => {
        const { id } = request.params;
        const actor = actorOf(request);
        const { reason } = (request.body ?? {}) as { reason?: string };
        const result = await withTransaction(pool, (c) =>
          setOrderState(c, id, change, actor, reason),
        );
        if ('refusal' in result) return refuse(request, reply, id, result.refusal);
        pushed({ id, change });
        return { id, changes: result.changes };
      },
    );
  }

  app.post('/api/work-orders/:id/split', routeOf(api.orders.split), async (request, reply) => {
    const { id } = request.params;
    const actor = actorOf(request);
    const { quantity, newId } = request.body;
    const result = await withTransaction(pool, (c) => splitOrder(c, id, quantity, actor, newId));
    if ('refusal' in result) return refuse(request, reply, id, result.refusal);
    pushed({ id, change: 'split', newId: result.newId });
    return reply.code(201).send({ id, newId: result.newId, changes: result.changes });
  });
};
