import type { PlanView, PromiseAnswer } from '@takt/protocol/api';
import { useMemo, useState } from 'react';
import { useT } from '../../i18n';
import { ganttOption, GHOST_COLOR, TONE_COLORS } from '../../lib/plan-chart';
import { initialWindow, planEnd, planGantt, planRange, PLAN_TONES } from '../../lib/plan-gantt';
import { ganttLabels } from '../../lib/plan-labels';
import { EChart } from '../EChart';

/** The longest window shown first: three days from a little before now. */
export const GANTT_WINDOW_MS = 3 * 86_400_000;
const ROW_PX = 34;

const TONE_KEYS = {
  'on-track': 'plan.legend.onTrack',
  'at-risk': 'plan.legend.atRisk',
  late: 'plan.legend.late',
} as const;

/**
 * The plant Gantt on the Planning page: zoom with the wheel or the slider (the window is kept
 * when the plan is read again), the calculator's answer as dashed violet bars.
 */
export function PlanGanttPanel({
  plan,
  line,
  answer,
  nowMs,
}: {
  plan: PlanView;
  line: string | null;
  answer: PromiseAnswer | null;
  nowMs: number;
}) {
  const { t, lang } = useT();
  const gantt = useMemo(() => planGantt(plan, line, answer), [plan, line, answer]);
  const range = useMemo(() => planRange(gantt, nowMs), [gantt, nowMs]);
  const [zoomed, setZoomed] = useState<{ startMs: number; endMs: number } | null>(null);
  const shown = zoomed ?? initialWindow(range, nowMs, GANTT_WINDOW_MS, planEnd(gantt));
  const option = useMemo(
    () =>
      ganttOption({
        gantt,
        nowMs,
        timeZone: plan.timeZone,
        range,
        window: shown,
        zoom: true,
        labels: ganttLabels(t, lang, plan.timeZone),
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `shown` is read from its two numbers
    [gantt, nowMs, plan.timeZone, range, shown.startMs, shown.endMs, t, lang],
  );
  const onZoom = (startPct: number, endPct: number) => {
    const span = range.maxMs - range.minMs;
    setZoomed({
      startMs: range.minMs + (span * startPct) / 100,
      endMs: range.minMs + (span * endPct) / 100,
    });
  };
  const orders = [...new Set(gantt.bars.map((b) => b.order))].sort();
  return (
    <section className="panel panel--wide plan-gantt" data-testid="plan-gantt-panel">
      <div className="panel__head">
        <h3>{t('plan.gantt')}</h3>
        <span className="plan-legend">
          {PLAN_TONES.map((tone) => (
            <span key={tone} className="plan-legend__item">
              <span className="plan-legend__swatch" style={{ background: TONE_COLORS[tone] }} />
              {t(TONE_KEYS[tone])}
            </span>
          ))}
          <span className="plan-legend__item">
            <span
              className="plan-legend__swatch plan-legend__swatch--ghost"
              style={{ borderColor: GHOST_COLOR }}
            />
            {t('plan.legend.new')}
          </span>
        </span>
      </div>
      {gantt.bars.length === 0 && gantt.ghosts.length === 0 ? (
        <p className="panel__note">{t('plan.noOperations')}</p>
      ) : null}
      <div style={{ height: Math.max(220, gantt.rows.length * ROW_PX + 90) }}>
        <EChart
          option={option}
          className="plan-gantt__chart"
          testId="plan-gantt"
          onZoom={onZoom}
          data={{
            orders: JSON.stringify(orders),
            bars: String(gantt.bars.length),
            rows: JSON.stringify(gantt.rows.map((r) => r.machine)),
            running: JSON.stringify([
              ...new Set(gantt.bars.filter((b) => b.running).map((b) => b.order)),
            ]),
            dues: String(gantt.dues.length),
            ghosts: String(gantt.ghosts.length),
            delayed: JSON.stringify(
              [
                ...new Set(gantt.bars.filter((b) => b.delayedByMs !== null).map((b) => b.order)),
              ].sort(),
            ),
          }}
        />
      </div>
    </section>
  );
}
