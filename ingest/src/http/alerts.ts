import { BOARD, principalAccess, type Principal } from '../auth/access';
import { ALERT_EVENTS, alertRuleProblems, api, RESPONDERS } from '@takt/protocol';
import { alertHistoryCsv } from '../alerts/export';
import { ruleProblems } from '../alerts/problems';
import { alertJson, loadAlerts, loadRules, replaceRules, type StoredAlert } from '../alerts/store';
import { requestLang, type AlertText } from '../alerts/text';
import { INGEST_ERRORS, IngestError } from '../errors';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

function notFound(id: number) {
  return new IngestError(
    'INGEST_ERR_NOT_FOUND',
    INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`alert ${id}`),
    404,
  );
}

/**
 * `alertJson` (alerts/store.ts) types `openedAt` as nullable through its shared `iso`; an
 * alert is always opened, so it is written here as the string it is (same value, same place).
 */
function alertOut(alert: StoredAlert, text: AlertText) {
  return { ...alertJson(alert, text), openedAt: new Date(alert.openedAt).toISOString() };
}

const isResponder = (p: Principal | undefined) =>
  p !== undefined && RESPONDERS.includes(principalAccess(p));

function conflict(message: string) {
  return new IngestError('INGEST_ERR_BAD_REQUEST', message, 409);
}

/**
 * Alerts (issue 7): the life cycle open → acknowledged → cleared over the API, history
 * export, rule editing, socket.io. Rules are evaluated as data arrives
 * (consumers/alerts.ts) and on a clock (alerts/runtime.ts, started in service.ts).
 */
export const alertsPlugin: IngestPlugin = (
  app,
  { pool, io, log, plant, alerts, alertRuntime: runtime },
) => {
  io.on('connection', (socket) => {
    // Alerts go to who may open boards only (the same as the plant room), never a customer.
    const principal = socket.data.principal as Principal | undefined;
    if (!principal || !BOARD.includes(principalAccess(principal))) return;
    Promise.all([
      loadAlerts(pool, { status: 'open' }),
      loadAlerts(pool, { status: 'acknowledged' }),
    ]).then(
      ([open, acked]) =>
        socket.emit(ALERT_EVENTS.snapshot, {
          alerts: [...open, ...acked].map((a) =>
            alertJson(a, runtime.text(requestLang(socket.handshake))),
          ),
          serverTime: new Date().toISOString(),
        }),
      (error: Error) => log.error({ err: error.message }, 'alert snapshot for a screen failed'),
    );
  });

  app.get('/api/alerts', routeOf(api.alerts.list), async (request) => {
    const { status, limit } = request.query;
    await runtime.apply([]); // every decision made so far is stored
    const text = runtime.text(requestLang(request));
    return (await loadAlerts(pool, { ...(status ? { status } : {}), limit })).map((a) =>
      alertOut(a, text),
    );
  });

  app.get('/api/alerts/export', routeOf(api.alerts.export), async (request, reply) => {
    const { from, to } = request.query;
    const csv = await alertHistoryCsv(
      pool,
      from ? Date.parse(from) : null,
      to ? Date.parse(to) : null,
    );
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="alert-history.csv"')
      .send(csv);
  });

  app.get('/api/alerts/:id', routeOf(api.alerts.get), async (request) => {
    const { id } = request.params;
    await runtime.apply([]);
    const [alert] = await loadAlerts(pool, { id });
    if (!alert) throw notFound(id);
    const events = await pool.query<{
      time: Date;
      kind: string;
      by: string | null;
      detail: unknown;
    }>(
      `SELECT time, kind, actor AS by, detail FROM alert_events WHERE alert_id = $1 ORDER BY time, id`,
      [id],
    );
    const deliveries = await pool.query<{
      event: string;
      channel: string;
      status: string;
      attempts: number;
      lastError: string | null;
      createdAt: Date;
      finishedAt: Date | null;
    }>(
      `SELECT event, channel_id AS channel, status, attempts, last_error AS "lastError", created_at AS "createdAt",
              finished_at AS "finishedAt"
         FROM alert_deliveries WHERE alert_id = $1 ORDER BY id`,
      [id],
    );
    // Deliveries carry the receivers' replies (last_error) and say where notices go: for
    // responders only, as the channels are (docs/decisions.md "Issue 18 — logins, sockets,
    // channels and delivery"); others see that a delivery failed, not why.
    const responder = isResponder(request.principal);
    // Times as the ISO strings JSON.stringify made of the Dates (the same bytes).
    return {
      ...alertOut(alert, runtime.text(requestLang(request))),
      events: events.rows.map((e) => ({
        ...e,
        time: e.time.toISOString(),
        detail: e.kind === 'delivery-failed' && !responder ? null : e.detail,
      })),
      deliveries: (responder ? deliveries.rows : []).map((d) => ({
        ...d,
        createdAt: d.createdAt.toISOString(),
        finishedAt: d.finishedAt?.toISOString() ?? null,
      })),
    };
  });

  const act = (action: 'ack' | 'clear') =>
    app.post(`/api/alerts/:id/${action}`, routeOf(api.alerts[action]), async (request) => {
      const { id } = request.params;
      const body = request.body;
      // Who acts is who is signed in; `by` in the body only names someone for a script.
      const by = request.principal?.kind === 'user' ? request.principal.name : body.by;
      if (!by)
        throw new IngestError('INGEST_ERR_BAD_REQUEST', 'by: name who acts (or sign in)', 400);
      const comment = body.comment;
      await runtime.apply([]);
      const [alert] = await loadAlerts(pool, { id });
      if (!alert) throw notFound(id);
      if (alert.status === 'cleared') throw conflict(`alert ${id} is already cleared`);
      if (action === 'ack' && alert.status === 'acknowledged')
        throw conflict(`alert ${id} is already acknowledged by ${alert.acknowledgedBy}`);
      if (runtime.idOf(alert.key) !== id)
        throw conflict(`alert ${id} belongs to a rule no longer in force`);
      const now = alerts.now();
      const effect =
        action === 'ack'
          ? runtime.watcher.engine.acknowledge(alert.key, by, comment ?? null, now)
          : runtime.watcher.engine.clearByHand(alert.key, by, now);
      if (comment) effect.comment = comment;
      await runtime.apply([effect]);
      const [after] = await loadAlerts(pool, { id });
      return alertOut(after!, runtime.text(requestLang(request)));
    });
  act('ack');
  act('clear');

  app.get('/api/alert-rules', routeOf(api.alerts.rules), async (request) => {
    const rules = await loadRules(pool);
    return {
      rules,
      channels: (plant?.alerts.channels ?? []).map((c) => ({
        id: c.id,
        type: c.type,
        ...(c.type === 'webhook' ? { format: c.format } : {}),
      })),
      problems: await ruleProblems(
        pool,
        rules,
        plant,
        alerts.env,
        runtime.text(requestLang(request)),
      ),
    };
  });

  app.put('/api/alert-rules', routeOf(api.alerts.putRules), async (request) => {
    const { rules, by } = request.body;
    const machines = new Set(
      (await pool.query<{ id: string }>('SELECT id FROM machines')).rows.map((r) => r.id),
    );
    const channels = new Set((plant?.alerts.channels ?? []).map((c) => c.id));
    const problems = alertRuleProblems(rules, channels, machines);
    if (problems.length > 0) {
      const first = problems[0]!;
      throw new IngestError(
        'INGEST_ERR_BAD_REQUEST',
        `rules.${first.path.join('.')}: ${first.message}` +
          (problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''),
        400,
      );
    }
    await replaceRules(pool, rules, by ?? null);
    await runtime.setRules(rules);
    return {
      rules: await loadRules(pool),
      problems: await ruleProblems(
        pool,
        rules,
        plant,
        alerts.env,
        runtime.text(requestLang(request)),
      ),
    };
  });
};
