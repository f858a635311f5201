import { api } from '@takt/protocol';
import { INGEST_ERRORS, IngestError } from '../errors';
import { machineExists, machineSnapshots, sampleSeries } from '../queries/machines';
import { machinesOf, machineWindow } from '../queries/oee';
import { loadPlantModel } from '../plant';
import { plantTimeZone, readerOf } from '../queries/message-text';
import { correctStopReason } from '../queries/station-stops';
import { assignStopReason } from '../queries/stop-reasons';
import { routeOf } from '../route-contract';
import { stopReasonError } from './stations';
import type { IngestPlugin } from './types';

const notFound = (id: string) =>
  new IngestError(
    'INGEST_ERR_NOT_FOUND',
    INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`machine "${id}"`),
    404,
  );

/** `GET /api/machines` (the boards' snapshot) and a tag's history for trends. */
export const machinesPlugin: IngestPlugin = (app, { pool }) => {
  app.get('/api/machines', routeOf(api.machines.list), async () => machineSnapshots(pool));

  app.get('/api/machines/:id/samples', routeOf(api.machines.samples), async (request) => {
    const { id } = request.params;
    if (!(await machineExists(pool, id))) throw notFound(id);
    return sampleSeries(pool, id, request.query.tag, request.query.minutes);
  });

  app.get('/api/machines/:id/timeline', routeOf(api.machines.timeline), async (request) => {
    const [machine] = await machinesOf(pool, { machine: request.params.id });
    if (!machine) throw notFound(request.params.id);
    const from = Date.parse(request.query.from);
    const to = Date.parse(request.query.to);
    const { states, modes } = await machineWindow(pool, machine, from, to);
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      machine: machine.id,
      from: iso(from),
      to: iso(to),
      states: states.map((s) => ({
        from: iso(s.from),
        to: iso(s.to),
        state: s.state,
        reason: s.reason,
      })),
      modes: modes.map((m) => ({ from: iso(m.from), to: iso(m.to), mode: m.mode })),
    };
  });

  app.post('/api/machines/:id/stop-reason', routeOf(api.machines.stopReason), async (request) => {
    const { reason, at } = request.body;
    const atMs = at === undefined ? undefined : Date.parse(at);
    const outcome = await assignStopReason(pool, request.params.id, reason, 'api', atMs);
    if (!outcome.ok) {
      const code = outcome.status === 404 ? 'INGEST_ERR_NOT_FOUND' : 'INGEST_ERR_BAD_REQUEST';
      throw new IngestError(code, outcome.reason, outcome.status);
    }
    return outcome;
  });

  // A supervisor's correction (docs/decisions.md "Issue 17 — the operator station"): logged.
  app.put('/api/machines/:id/stop-reason', routeOf(api.stopReasonCorrection), async (request) => {
    const { id } = request.params;
    const [machine] = await machinesOf(pool, { machine: id });
    if (!machine) throw notFound(id);
    const p = request.principal;
    const plant = await loadPlantModel(pool, machine.site_id);
    const outcome = await correctStopReason(
      pool,
      {
        machine: id,
        by: p?.kind === 'user' ? p.name : 'unknown',
        stopStartMs: Date.parse(request.body.stopStart),
        reason: request.body.reason,
      },
      plant,
    );
    if (!outcome.ok)
      throw stopReasonError(
        outcome,
        readerOf(request, await plantTimeZone(pool, plant ?? undefined)),
      );
    return outcome;
  });
};
