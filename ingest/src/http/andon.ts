import { api, type AndonRule, type PlantModel } from '@takt/protocol';
import { andonRulesAt, responseTimes, stationCalls } from '../alerts/andon';
import { INGEST_ERRORS, IngestError } from '../errors';
import { callsOpened, latestCalls } from '../queries/andon';
import { routeOf } from '../route-contract';
import type { IngestPlugin } from './types';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

const ruleFields = (rule: AndonRule) => ({
  call: rule.call,
  rule: rule.id,
  name: rule.name ?? null,
  label: rule.label ?? {},
});

/** The plant model's stations that are not machines (`stations.list`), where it has them. */
const listedStations = (plant: PlantModel | undefined) =>
  (plant as { stations?: { list?: { id: string; line?: string }[] } } | undefined)?.stations
    ?.list ?? [];

/**
 * Stations: every machine, the plant's other stations (`stations.list` where the plant model
 * has one), and any station an andon rule in force names.
 */
function isStation(plant: PlantModel | undefined, rules: readonly AndonRule[], id: string) {
  const machines = plant?.lines.some((l) => l.machines.some((m) => m.id === id)) ?? false;
  const listed = listedStations(plant);
  return machines || listed.some((s) => s.id === id) || rules.some((r) => r.stations?.includes(id));
}

/**
 * Andon calls (docs/decisions.md "Issue 17 — andon calls"): a station's calls and their state,
 * and response times per call type. Calls are opened by the andon consumer
 * (consumers/andon.ts) and acknowledged and cleared with the alert routes (http/alerts.ts).
 */
export const andonPlugin: IngestPlugin = (
  app,
  { pool, plant, alerts, alertRuntime, consumers },
) => {
  /** A line's stations: its machines and the stations listed on it. */
  const lineStations = (id: string) => {
    const found = plant?.lines.find((l) => l.id === id);
    if (!found)
      throw new IngestError(
        'INGEST_ERR_NOT_FOUND',
        INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`line ${id}`),
        404,
      );
    const listed = listedStations(plant).filter((s) => s.line === id);
    return [...found.machines.map((m) => m.id), ...listed.map((s) => s.id)];
  };
  const andonRules = () =>
    alertRuntime.watcher.engine.ruleList.filter((r): r is AndonRule => r.kind === 'andon');

  app.get('/api/stations/:id/andon', routeOf(api.andon.stationCalls), async (request) => {
    const station = request.params.id;
    if (!isStation(plant, andonRules(), station))
      throw new IngestError(
        'INGEST_ERR_NOT_FOUND',
        INGEST_ERRORS.INGEST_ERR_NOT_FOUND(`station ${station}`),
        404,
      );
    // Calls committed so far are opened and stored before they are read.
    await consumers.settled('andon');
    await alertRuntime.apply([]);
    const rules = andonRulesAt(andonRules(), station);
    const latest = await latestCalls(
      pool,
      station,
      rules.map((r) => r.id),
    );
    const now = alerts.now();
    return {
      station,
      serverTime: new Date(now).toISOString(),
      calls: stationCalls(rules, latest, now).map(({ rule, state, alert, waitingMs }) => ({
        ...ruleFields(rule),
        severity: rule.severity,
        state,
        alertId: alert?.id ?? null,
        calledAt: iso(alert?.openedAt ?? null),
        acknowledgedAt: iso(alert?.acknowledgedAt ?? null),
        acknowledgedBy: alert?.acknowledgedBy ?? null,
        clearedAt: iso(alert?.clearedAt ?? null),
        clearedBy: alert?.clearedBy ?? null,
        waitingMs: waitingMs === null ? null : Math.round(waitingMs),
      })),
    };
  });

  app.get('/api/andon/response-times', routeOf(api.andon.responseTimes), async (request) => {
    const { from, to, station, line } = request.query;
    const [fromMs, toMs] = [Date.parse(from), Date.parse(to)];
    const stations =
      station !== undefined ? [station] : line !== undefined ? lineStations(line) : undefined;
    await alertRuntime.apply([]);
    const rules = station === undefined ? andonRules() : andonRulesAt(andonRules(), station);
    const calls = await callsOpened(
      pool,
      rules.map((r) => r.id),
      fromMs,
      toMs,
      stations,
    );
    return {
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      station: station ?? null,
      line: line ?? null,
      calls: responseTimes(rules, calls).map((r) => ({
        ...ruleFields(r.rule),
        count: r.count,
        open: r.open,
        acknowledge: r.acknowledge,
        clear: r.clear,
      })),
    };
  });
};
