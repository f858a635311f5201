import { api } from '@takt/protocol/api';
import { useMemo } from 'react';
import { useT } from '../i18n';
import { ganttOption, loadOption, overloadedDays, TONE_COLORS } from '../lib/plan-chart';
import { planGantt, planRange, PLAN_TONES } from '../lib/plan-gantt';
import { ganttLabels, loadLabels } from '../lib/plan-labels';
import { plantDateTime } from '../lib/plant-time';
import { useLive, usePlanVersion } from '../live/LiveContext';
import { useNow } from '../live/use-now';
import { usePlant } from '../plant/PlantContext';
import { BoardChart } from './BoardChart';
import { usePollRoute } from './use-poll';
import './planning.css';

/** The plan moves on `plan:changed`; a poll every five minutes covers a missed event. */
export const PLANNING_POLL_MS = 300_000;
/** What the TV shows: from two hours ago to two days ahead. */
export const BOARD_BEFORE_MS = 2 * 3_600_000;
export const BOARD_AHEAD_MS = 2 * 86_400_000;
const LOAD_DAYS = 14;
const FONT = 15;

const TONE_KEYS = {
  'on-track': 'plan.legend.onTrack',
  'at-risk': 'plan.legend.atRisk',
  late: 'plan.legend.late',
} as const;

/**
 * The planning board (issue 21), read-only for a kiosk TV: the plant Gantt of the next two
 * days and the line load of the next 14, both from the plan ingest keeps (`GET /api/plan`,
 * `GET /api/plan/load`), read again on `plan:changed`.
 */
export function PlanningBoard() {
  const { t, lang } = useT();
  const { plant } = usePlant();
  const version = usePlanVersion();
  const { clockOffsetMs } = useLive();
  const nowMs = useNow(60_000) + clockOffsetMs;
  const plan = usePollRoute(api.planning.plan, { query: { lang } }, PLANNING_POLL_MS, version);
  const load = usePollRoute(
    api.planning.load,
    { query: { days: LOAD_DAYS } },
    PLANNING_POLL_MS,
    version,
  );
  const gantt = useMemo(() => (plan.data ? planGantt(plan.data, null, null) : null), [plan.data]);
  const timeZone = plan.data?.timeZone ?? 'UTC';
  const ganttChart = useMemo(
    () =>
      gantt
        ? ganttOption({
            gantt,
            nowMs,
            timeZone,
            range: planRange(gantt, nowMs),
            window: { startMs: nowMs - BOARD_BEFORE_MS, endMs: nowMs + BOARD_AHEAD_MS },
            zoom: false,
            labels: ganttLabels(t, lang, timeZone),
            fontSize: FONT,
          })
        : null,
    [gantt, nowMs, timeZone, t, lang],
  );
  const lines = useMemo(
    () =>
      (plant?.lines ?? [])
        .filter((l) => load.data?.lines.some((x) => x.id === l.id))
        .map((l) => ({ id: l.id, name: l.name })),
    [plant, load.data],
  );
  const loadChart = useMemo(
    () => (load.data ? loadOption(load.data, lines, loadLabels(t), FONT) : null),
    [load.data, lines, t],
  );
  const loaded = plan.data !== null && load.data !== null;
  return (
    <main
      className="planning-board"
      data-testid="planning-board"
      data-loaded={String(loaded)}
      data-orders={JSON.stringify([...new Set(gantt?.bars.map((b) => b.order) ?? [])].sort())}
      data-overloaded={load.data ? JSON.stringify(overloadedDays(load.data, null)) : '[]'}
    >
      <header className="planning-board__head">
        <h2 className="planning-board__title">{t('board.planning')}</h2>
        <span className="planning-board__legend">
          {PLAN_TONES.map((tone) => (
            <span key={tone}>
              <i style={{ background: TONE_COLORS[tone] }} />
              {t(TONE_KEYS[tone])}
            </span>
          ))}
        </span>
        {plan.data ? (
          <span className="planning-board__at">
            {t('plan.computedAt', {
              time: plantDateTime(Date.parse(plan.data.computedAt), timeZone),
            })}
          </span>
        ) : null}
      </header>
      {!loaded ? <p className="page-loading">{t('common.loading')}</p> : null}
      {ganttChart ? (
        <BoardChart
          option={ganttChart}
          className="planning-board__gantt"
          testId="plan-board-gantt"
        />
      ) : null}
      {loadChart ? (
        <section className="planning-board__load">
          <h3>{t('plan.load', { days: LOAD_DAYS })}</h3>
          <BoardChart
            option={loadChart}
            className="planning-board__chart"
            testId="plan-board-load"
          />
        </section>
      ) : null}
    </main>
  );
}
