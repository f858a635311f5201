import {
  api,
  renderMessage,
  SERVER_MESSAGES,
  SPC_EVENTS,
  type Message,
  type PlantModel,
} from '@takt/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestLang } from '../alerts/text';
import { withTransaction } from '../db/transaction';
import { controlLimits, SpcInputError } from '../domain/spc';
import { INGEST_ERRORS, IngestError } from '../errors';
import { routeOf } from '../route-contract';
import { judgeNewSubgroups } from '../spc/alerts';
import {
  domainSubgroups,
  MIN_BASELINE_SUBGROUPS,
  characteristicSummary,
  spcChart,
  usable,
} from '../spc/chart';
import { dueInspections } from '../spc/due';
import { characteristicOf, measurementProblem } from '../spc/measurements';
import { insertBaseline, insertSubgroup, latestBaseline, subgroupsBetween } from '../spc/store';
import type { IngestPlugin } from './types';
import { windowWithDefaults } from './window';

const DAY_MS = 86_400_000;

const notFound = (id: string) =>
  new IngestError(
    'INGEST_ERR_NOT_FOUND',
    INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`characteristic ${id}`),
    404,
  );

/**
 * SPC (docs/decisions.md "Issue 23 — measurements, limits and spc alerts"): the plant model's
 * characteristics, their charts, frozen baselines and hand-recorded measurements. A
 * measurement is one row (a subgroup), stored whole or not at all; it is judged by the `spc`
 * alert rules once stored and pushed as `spc:subgroup`.
 */
export const spcPlugin: IngestPlugin = (app, { pool, io, plant, alerts, alertRuntime }) => {
  const timeZone = (p: PlantModel | undefined) => p?.site.timeZone ?? 'UTC';

  /** A 400 whose reason is a message, in the reader's language. */
  const refuse = (request: FastifyRequest, reply: FastifyReply, why: Message) =>
    reply.code(400).send({
      error: 'Bad Request',
      code: 'INGEST_ERR_BAD_REQUEST',
      message: renderMessage(SERVER_MESSAGES, why, requestLang(request), {
        timeZone: timeZone(plant),
      }),
      messageKey: why.key,
      messageParams: why.params ?? {},
    });

  app.get('/api/spc', routeOf(api.spc.list), async () =>
    (plant?.quality.characteristics ?? []).map(characteristicSummary),
  );

  app.get('/api/spc/due', routeOf(api.spc.due), async (request) =>
    dueInspections(pool, plant, alerts.now(), request.query),
  );

  app.get('/api/spc/:characteristic', routeOf(api.spc.chart), async (request) => {
    const c = characteristicOf(plant, request.params.characteristic);
    if (!c) throw notFound(request.params.characteristic);
    const { fromMs, toMs } = windowWithDefaults(request.query, 30 * DAY_MS, alerts.now());
    const stored = await subgroupsBetween(pool, c.id, fromMs, toMs);
    const baseline = await latestBaseline(pool, c.id);
    return spcChart(
      c,
      { from: fromMs, to: toMs },
      stored,
      baseline,
      requestLang(request),
      timeZone(plant),
    );
  });

  app.post(
    '/api/spc/:characteristic/baseline',
    routeOf(api.spc.baseline),
    async (request, reply) => {
      const c = characteristicOf(plant, request.params.characteristic);
      if (!c) throw notFound(request.params.characteristic);
      const from = Date.parse(request.body.from);
      const to = Date.parse(request.body.to);
      const used = usable(c, await subgroupsBetween(pool, c.id, from, to));
      const tooFew: Message = {
        key: 'spc.baselineTooFew',
        params: {
          minimum: MIN_BASELINE_SUBGROUPS,
          count: used.length,
          from: { time: request.body.from },
          to: { time: request.body.to },
        },
      };
      if (used.length < MIN_BASELINE_SUBGROUPS) return refuse(request, reply, tooFew);
      let limits;
      try {
        limits = controlLimits(c.chart, domainSubgroups(c, used));
      } catch (error) {
        if (error instanceof SpcInputError) return refuse(request, reply, error.reason);
        throw error;
      }
      const p = request.principal;
      const baseline = await insertBaseline(pool, {
        characteristic: c.id,
        from,
        to,
        subgroups: used.length,
        center: limits.center,
        ucl: limits.ucl,
        lcl: limits.lcl,
        sigma: limits.sigma,
        rangeCenter: limits.rangeCenter ?? null,
        rangeUcl: limits.rangeUcl ?? null,
        rangeLcl: limits.rangeLcl ?? null,
        meanN: limits.meanN ?? null,
        frozenBy: p?.kind === 'user' ? p.name : null,
        frozenAt: alerts.now(),
        reason: request.body.reason,
      });
      const iso = (t: number) => new Date(t).toISOString();
      reply.code(201);
      return {
        phase: 'II' as const,
        from: iso(baseline.from),
        to: iso(baseline.to),
        subgroups: baseline.subgroups,
        frozenBy: baseline.frozenBy,
        frozenAt: iso(baseline.frozenAt),
        reason: baseline.reason,
        center: baseline.center,
        ucl: baseline.ucl,
        lcl: baseline.lcl,
        rangeCenter: baseline.rangeCenter,
        rangeUcl: baseline.rangeUcl,
        rangeLcl: baseline.rangeLcl,
      };
    },
  );

  app.post('/api/measurements', routeOf(api.spc.measure), async (request, reply) => {
    const body = request.body;
    const c = characteristicOf(plant, body.characteristic);
    const now = alerts.now();
    const at = body.at === undefined ? now : Date.parse(body.at);
    const problem = measurementProblem(c, body, at, now);
    if (problem || !c) return refuse(request, reply, problem!);
    const p = request.principal;
    const operator = body.operator ?? (p?.kind === 'user' ? p.name : null);
    const stored = await withTransaction(pool, (client) =>
      insertSubgroup(client, {
        characteristic: c.id,
        at,
        values: body.values,
        n:
          body.n ??
          (c.chart === 'p' || c.chart === 'np' || c.chart === 'u' ? c.subgroupSize : null),
        workOrder: body.workOrder ?? null,
        operation: body.operation ?? null,
        operator,
        source: body.source ?? 'api',
      }),
    );
    // No dedupe key: always stored.
    const row = stored!;
    io.to('plant').emit(SPC_EVENTS.subgroup, {
      characteristic: c.id,
      at: new Date(row.at).toISOString(),
    });
    await judgeNewSubgroups(pool, alertRuntime, c, [row]);
    reply.code(201);
    return { id: row.id, at: new Date(row.at).toISOString() };
  });
};
