import {
  SERVER_MESSAGES,
  api,
  pickLang,
  renderMessage,
  type Message,
  type PlanLoad,
  type PlanView,
  type PromiseAnswer,
} from '@takt/protocol';
import type { FastifyRequest } from 'fastify';
import { lineLoad, promise } from '../domain/planning';
import { IngestError } from '../errors';
import { planView } from '../planning/view';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The plan, its line load and the delivery-date calculator (docs/decisions.md "Issue 21 — the
 * plan in ingest, the single ETA"). The plan is the one kept by ingest/src/planning/service.ts;
 * the calculator plans with and without the new order and changes nothing.
 */
export const planningPlugin: IngestPlugin = (app, { pool, planning, alerts }) => {
  const languageOf = (request: FastifyRequest) =>
    pickLang(
      (request.query as { lang?: string } | undefined)?.lang,
      request.headers['accept-language'],
    );

  app.get('/api/plan', routeOf(api.planning.plan), async (request): Promise<PlanView> => {
    const current = await planning.plan();
    return planView(pool, current, request.query, languageOf(request), alerts.now());
  });

  app.get('/api/plan/load', routeOf(api.planning.load), async (request): Promise<PlanLoad> => {
    const { plan, gathered } = await planning.plan();
    const { line, days } = request.query;
    const machines = gathered.machines
      .filter((m) => line === undefined || m.line === line)
      .map((m) => ({ id: m.id, line: m.line ?? '' }));
    const calendar = gathered.input.calendar;
    const load = lineLoad(plan, calendar, machines, alerts.now(), days, calendar.timeZone);
    return {
      ...load,
      machines: load.machines.map((m) => ({ ...m, line: m.line === '' ? null : m.line })),
      // Machines of no line are shown alone, not summed into a nameless line.
      lines: load.lines.filter((l) => l.id !== ''),
    };
  });

  app.post(
    '/api/promise',
    routeOf(api.planning.promise),
    async (request): Promise<PromiseAnswer> => {
      const lang = languageOf(request);
      const { gathered } = await planning.plan();
      const timeZone = gathered.input.calendar.timeZone;
      const refuse = (message: Message) =>
        new IngestError(
          'INGEST_ERR_BAD_REQUEST',
          renderMessage(SERVER_MESSAGES, message, lang, { timeZone }),
          400,
        );
      const body = request.body;
      const now = alerts.now();
      const product = gathered.products.get(body.product);
      if (!product)
        throw refuse({ key: 'planRequest.unknownProduct', params: { product: body.product } });
      const routing = body.routing ?? product.routing;
      if (!routing)
        throw refuse({ key: 'planRequest.noRouting', params: { product: body.product } });
      const machines = new Set(gathered.input.machines);
      const seen = new Set<string>();
      for (const step of routing) {
        if (!machines.has(step.machine))
          throw refuse({
            key: 'planRequest.unknownMachine',
            params: { operation: step.id, machine: step.machine },
          });
        if (seen.has(step.id))
          throw refuse({ key: 'planRequest.duplicateOperation', params: { operation: step.id } });
        seen.add(step.id);
      }
      const wantedBy = body.wantedBy === undefined ? undefined : Date.parse(body.wantedBy);
      if (wantedBy !== undefined && wantedBy <= now)
        throw refuse({
          key: 'planRequest.wantedByPast',
          params: { time: { time: iso(wantedBy) } },
        });
      // Both plans at the same `now`, so the delays are the new order's doing alone.
      const outcome = promise(
        { ...gathered.input, now },
        {
          product: body.product,
          quantity: body.quantity,
          routing,
          priority: body.priority,
          wantedBy,
        },
      );
      if (!outcome.ok)
        throw refuse({
          key: 'planRequest.unplannable',
          params: { reason: { message: outcome.unplannable.reason } },
        });
      const a = outcome.answer;
      return {
        promisedAt: iso(a.promisedAt),
        p10: iso(a.p10),
        p90: iso(a.p90),
        insertedAfter: a.insertedAfter,
        meetsWantedBy: a.meetsWantedBy,
        operations: a.operations.map((o) => ({
          operation: o.operation,
          machine: o.machine,
          plannedStart: iso(o.plannedStart),
          plannedFinish: iso(o.plannedFinish),
        })),
        delays: a.delays,
      };
    },
  );
};
